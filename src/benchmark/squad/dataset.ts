/**
 * SQuAD v1.1 (`dev-v1.1.json`) as typed values. The file is validated once here, so the feature
 * builder and the evaluator can trust every field; a malformed file fails with a PARSE or
 * INVALID_VALUE error naming the file and the JSON path (`data[3].paragraphs[0].qas[2].id`).
 * Pure: the caller reads the file (see `files.ts`).
 */
import { errors, quote } from '../../errors.js';
import { parseJsonText } from '../../json-text.js';

export interface SquadAnswer {
  readonly text: string;
  /** Offset of the answer in the context, in code points (Python string indices). */
  readonly answerStart: number;
}

export interface SquadQuestion {
  readonly id: string;
  readonly question: string;
  /** Ground truths: the evaluator takes the best score over all of them. */
  readonly answers: readonly SquadAnswer[];
}

export interface SquadParagraph {
  readonly context: string;
  readonly qas: readonly SquadQuestion[];
}

export interface SquadArticle {
  /** Present in the official files; no script reads it, so it may be absent. */
  readonly title: string | undefined;
  readonly paragraphs: readonly SquadParagraph[];
}

export interface SquadDataset {
  /** The file's `version` field ("1.1" for dev-v1.1.json), when present. */
  readonly version: string | undefined;
  readonly articles: readonly SquadArticle[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Parse and validate SQuAD v1.1 JSON text. `file` is only used in error messages. */
export function parseSquad(text: string, file: string): SquadDataset {
  if (text.trim() === '') throw errors.emptyInput(file);
  const root = parseJsonText(text, file) as Json;
  const top = asObject(root, file, '$');
  const version = top.version === undefined ? undefined : asString(top.version, file, 'version');
  const data = asArray(field(top, 'data', file, ''), file, 'data');
  const seenIds = new Map<string, string>();
  let questions = 0;
  const articles = data.map((entry, a): SquadArticle => {
    const articlePath = `data[${a}]`;
    const article = asObject(entry, file, articlePath);
    const title = article.title === undefined ? undefined : asString(article.title, file, `${articlePath}.title`);
    const paragraphs = asArray(field(article, 'paragraphs', file, articlePath), file, `${articlePath}.paragraphs`).map(
      (p, pi): SquadParagraph => {
        const paragraphPath = `${articlePath}.paragraphs[${pi}]`;
        const paragraph = asObject(p, file, paragraphPath);
        const context = asString(field(paragraph, 'context', file, paragraphPath), file, `${paragraphPath}.context`);
        const qas = asArray(field(paragraph, 'qas', file, paragraphPath), file, `${paragraphPath}.qas`).map((q, qi): SquadQuestion => {
          const qaPath = `${paragraphPath}.qas[${qi}]`;
          const qa = asObject(q, file, qaPath);
          const id = asString(field(qa, 'id', file, qaPath), file, `${qaPath}.id`);
          const earlier = seenIds.get(id);
          // Predictions are keyed by id: a repeated id would make two questions share one answer.
          if (earlier !== undefined) throw errors.invalidValue({ file, field: `${qaPath}.id` }, `duplicate question id ${quote(id)} (first at ${earlier})`);
          seenIds.set(id, `${qaPath}.id`);
          const question = asString(field(qa, 'question', file, qaPath), file, `${qaPath}.question`);
          const answerList = asArray(field(qa, 'answers', file, qaPath), file, `${qaPath}.answers`);
          // The evaluator takes the best score over the ground truths: it needs at least one.
          if (answerList.length === 0) throw errors.invalidValue({ file, field: `${qaPath}.answers` }, 'a question needs at least one answer (SQuAD v1.1 has no unanswerable questions)');
          const answers = answerList.map((an, ai): SquadAnswer => {
            const answerPath = `${qaPath}.answers[${ai}]`;
            const answer = asObject(an, file, answerPath);
            const answerText = asString(field(answer, 'text', file, answerPath), file, `${answerPath}.text`);
            const startPath = `${answerPath}.answer_start`;
            const start = field(answer, 'answer_start', file, answerPath);
            if (typeof start !== 'number') throw errors.parse({ file, field: startPath }, `expected an integer, got ${kind(start)}`);
            if (!Number.isInteger(start) || start < 0) throw errors.invalidValue({ file, field: startPath }, `answer_start must be a non-negative integer, got ${start}`);
            return { text: answerText, answerStart: start };
          });
          questions += 1;
          return { id, question, answers };
        });
        return { context, qas };
      },
    );
    return { title, paragraphs };
  });
  // The official evaluator divides by the question count: an empty set has no score.
  if (questions === 0) throw errors.emptyInput(file, 'SQuAD file has no questions');
  return { version, articles };
}

/** Every question of the dataset, in file order (the order of examples and of the evaluator). */
export function squadQuestions(dataset: SquadDataset): SquadQuestion[] {
  return dataset.articles.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
}

function field(obj: JsonObject, key: string, file: string, path: string): Json {
  const value = obj[key];
  if (value === undefined) throw errors.parse({ file, field: path === '' ? key : `${path}.${key}` }, `missing field '${key}'`);
  return value;
}

function asObject(value: Json, file: string, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.parse({ file, field: path }, `expected an object, got ${kind(value)}`);
  }
  return value;
}

function asArray(value: Json, file: string, path: string): Json[] {
  if (!Array.isArray(value)) throw errors.parse({ file, field: path }, `expected an array, got ${kind(value)}`);
  return value;
}

function asString(value: Json, file: string, path: string): string {
  if (typeof value !== 'string') throw errors.parse({ file, field: path }, `expected a string, got ${kind(value)}`);
  return value;
}

function kind(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${quote(JSON.stringify(value), 20)}`;
}

