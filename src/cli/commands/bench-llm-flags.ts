/** The served-LLM part of `bench --help` and its flags: small, so `bench` loads the LLM code only when `--sut` asks for it. */

export const LLM_HELP = `
Served LLMs (--sut openai|ollama): energy per token, TTFT and TPOT of a model behind an
OpenAI-compatible server (vLLM, llama.cpp's llama-server, TGI, Ollama's /v1, inferprint
serve-model --protocol openai) or Ollama's native API, at one or more load levels, in one run
bundle. Power is measured on this machine: run it on the serving machine (GPU box, Jetson).
  --sut openai|ollama    the server's API
  --url URL              its base URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is fine)
  --model NAME           the model's name on the server (as its /v1/models or /api/tags lists it)
  --api chat|completions chat (default: /v1/chat/completions, /api/chat) or completions
                         (/v1/completions, /api/generate)
  --concurrency N,N,...  closed-loop levels: N clients, each sending its next request when its
                         last one ends (default 1,4,16 unless --request-rate is given)
  --request-rate R,...   open-loop levels: Poisson arrivals at R requests/s
  --requests N           requests per level (default 100)
  --prompts FILE         JSONL: one prompt per line ("text", {"prompt": ...} or {"messages": [...]})
  --input-tokens N|A-B   without --prompts: generated prompts of N (or A to B) words, about one
                         token each for BPE tokenizers (default 128)
  --max-tokens N         most output tokens per request (default 256)
  --ignore-eos           ask the server to go on past end-of-sequence (vLLM, llama.cpp; not Ollama)
  --latency-limits L     MLPerf's TTFT/TPOT limits by name (llama2-70b, llama2-70b-interactive,
                         llama3.1-8b, llama3.1-8b-interactive, ...) and/or ttft=500ms,tpot=50ms;
                         pass/fail on the p99
  --timeout DURATION     longest silence from the server before a request counts as timed out (default 300s)
  --token T, --api-key-env VAR
                         the server's key (serve-model --token, vLLM --api-key), sent as a Bearer
                         token; --api-key-env reads it from a variable (kept out of the process list)
  --cooldown DURATION    pause between levels
  --seed N               seed of generated prompts and Poisson arrivals (default 1)
  --sensor, --interval, --hardware, --grid, --label, --runs-dir, --format table|json as above

Exit code: 0 when every request ended well, 1 when some failed (they are counted in the run),
128+n when stopped by a signal.
`;

/** The flags only the LLM branch takes (bench.ts declares them and refuses them elsewhere). */
export const LLM_FLAGS = ['api', 'concurrency', 'request-rate', 'requests', 'prompts', 'input-tokens', 'max-tokens', 'ignore-eos', 'latency-limits', 'timeout', 'api-key-env'] as const;
