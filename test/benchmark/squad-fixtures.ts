/**
 * A small WordPiece vocabulary and a hand-made SQuAD v1.1 file for the SQuAD pipeline tests.
 * Nothing is downloaded: the real `vocab.txt` (30 522 tokens) and `dev-v1.1.json` are the user's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const DIGITS = '0123456789'.split('');

/** One token per line, id = index. Specials first, as in BERT's vocab ([PAD] = 0). */
export const VOCAB_TOKENS: readonly string[] = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  // every ASCII punctuation character, and a few Unicode ones
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'.split(''), '¿', '¡', '–', '—',
  ...LETTERS, ...LETTERS.map((l) => `##${l}`),
  ...DIGITS, ...DIGITS.map((d) => `##${d}`), '18', '##89',
  // CJK ideographs and emoji, for code-point handling
  '北', '京', '大', '学', '😀', '##😀',
  // words of the contexts and questions below
  'the', 'is', 'in', 'it', 'its', 'was', 'by', 'and', 'of', 'to', 'who', 'what', 'when', 'how', 'does', 'near',
  'tower', 'wrought', 'iron', 'lattice', 'paris', 'france', 'built', 'gus', '##tave', '##iff', '##el', 'company',
  'completed', 'tall', 'metre', 'louvre', 'world', 'most', 'visited', 'museum', 'collection', 'includes', 'mona', 'lisa',
  'painting', 'cafe', 'serves', 'serve', 'cr', '##eme', 'br', '##ule', 'un', '##aff', '##able', 'hello', 'zurich',
  'naive', 'angstrom', 'que',
];

export const VOCAB_TEXT = `${VOCAB_TOKENS.join('\n')}\n`;

/** Id of a token in VOCAB_TOKENS (throws on a typo in a test). */
export function idOf(token: string): number {
  const id = VOCAB_TOKENS.indexOf(token);
  if (id < 0) throw new Error(`token ${token} not in the test vocabulary`);
  return id;
}

export const EIFFEL_CONTEXT =
  "The Eiffel Tower is a wrought-iron lattice tower in Paris, France. It was built by Gustave Eiffel's company and completed in 1889. The tower is 330 metres tall.";
export const LOUVRE_CONTEXT =
  "The Louvre, in Paris, is the world's most-visited museum. Its collection includes the Mona Lisa. The caf\u00e9 near the museum serves cr\u00e8me br\u00fbl\u00e9e.";
/** 26 one-token words: long enough for several doc windows once maxSeqLength is small. */
export const LETTERS_CONTEXT = LETTERS.join(' ');

/** Code point offset of `answer` in `context` (SQuAD's answer_start). */
function startOf(context: string, answer: string): number {
  const unit = context.indexOf(answer);
  if (unit < 0) throw new Error(`${answer} not in context`);
  return Array.from(context.slice(0, unit)).length;
}

function qa(id: string, question: string, context: string, answers: readonly string[]): object {
  return { id, question, answers: answers.map((text) => ({ text, answer_start: startOf(context, text) })) };
}

/** Three articles, six questions, in the layout of dev-v1.1.json. */
export const SQUAD_JSON = {
  version: '1.1',
  data: [
    {
      title: 'Eiffel_Tower',
      paragraphs: [
        {
          context: EIFFEL_CONTEXT,
          qas: [
            qa('q-builder', 'Who built the Eiffel Tower?', EIFFEL_CONTEXT, ["Gustave Eiffel's company", 'Gustave Eiffel']),
            qa('q-year', 'When was the tower completed?', EIFFEL_CONTEXT, ['1889']),
            qa('q-height', 'How tall is the tower?', EIFFEL_CONTEXT, ['330 metres']),
          ],
        },
      ],
    },
    {
      title: 'Louvre',
      paragraphs: [
        {
          context: LOUVRE_CONTEXT,
          qas: [
            qa('q-painting', 'What painting is in the Louvre?', LOUVRE_CONTEXT, ['the Mona Lisa', 'Mona Lisa']),
            qa('q-cafe', 'What does the caf\u00e9 serve?', LOUVRE_CONTEXT, ['cr\u00e8me br\u00fbl\u00e9e']),
          ],
        },
      ],
    },
    {
      title: 'Alphabet',
      paragraphs: [{ context: LETTERS_CONTEXT, qas: [qa('q-letter', 'What is k?', LETTERS_CONTEXT, ['k'])] }],
    },
  ],
};

/** Write vocab.txt and dev.json into a fresh temporary folder. */
export function writeSquadFixtures(): { dir: string; vocabPath: string; squadPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-squad-'));
  const vocabPath = join(dir, 'vocab.txt');
  const squadPath = join(dir, 'dev.json');
  writeFileSync(vocabPath, VOCAB_TEXT);
  writeFileSync(squadPath, JSON.stringify(SQUAD_JSON, null, 2));
  return { dir, vocabPath, squadPath };
}
