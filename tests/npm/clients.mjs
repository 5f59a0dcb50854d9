// Drives a running `hearth serve` with the official `ollama` and `openai` npm clients.
// Usage: node clients.mjs URL MODEL_PATH AUDIO_MODEL SPEECH_WAV CHAT_MODEL_PATH ; exits non-zero with a message
// on the first failed check. AUDIO_MODEL is a stored model with an audio tower; CHAT_MODEL_PATH is the model
// with a chat template that declares tools and thinking.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Ollama } from 'ollama';
import OpenAI, { toFile } from 'openai';

const [url, model, audioModel, speech, chatModel] = process.argv.slice(2);
const ollama = new Ollama({ host: url });
const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused' });
const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

// Ollama client: chat (whole and streamed), generate, list, ps.
const whole = await ollama.chat({ model, messages, stream: false, options: { num_predict: 6, temperature: 0 } });
assert.equal(whole.done, true);
assert.equal(whole.eval_count, 6);
assert.equal(whole.message.role, 'assistant');
let streamed = '';
let last;
for await (const part of await ollama.chat({ model, messages, stream: true, options: { num_predict: 6, temperature: 0 } })) {
  streamed += part.message.content;
  last = part;
}
assert.equal(last.done, true);
assert.equal(streamed, whole.message.content);
const generated = await ollama.generate({ model, prompt: 'Once upon a time', raw: true, options: { num_predict: 3, temperature: 0 } });
assert.equal(generated.eval_count, 3);
const running = await ollama.ps();
assert.equal(running.models.length, 1);
const listed = await ollama.list();
assert.ok(Array.isArray(listed.models));
await assert.rejects(ollama.chat({ model: 'no-such-model', messages }), /not found/);

// OpenAI client: chat completions (whole and streamed), completions, models, errors.
const completion = await openai.chat.completions.create({ model, messages, max_tokens: 5, temperature: 0 });
assert.equal(completion.object, 'chat.completion');
assert.equal(completion.choices[0].finish_reason, 'length');
assert.equal(completion.usage.completion_tokens, 5);
let chunks = '';
let usage;
const stream = await openai.chat.completions.create({
  model, messages, max_tokens: 5, temperature: 0, stream: true, stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  if (chunk.choices.length > 0) chunks += chunk.choices[0].delta.content ?? '';
  if (chunk.usage) usage = chunk.usage;
}
assert.equal(chunks, completion.choices[0].message.content);
assert.equal(usage.completion_tokens, 5);
const text = await openai.completions.create({ model, prompt: 'The sky is', max_tokens: 3, temperature: 0 });
assert.equal(text.usage.completion_tokens, 3);
const models = await openai.models.list();
assert.ok(Array.isArray(models.data));
await assert.rejects(openai.chat.completions.create({ model: 'no-such-model', messages }), (error) => error.status === 404);
await assert.rejects(openai.chat.completions.create({ model, messages, n: 2 }), (error) => error.status === 400);

// OpenAI client: audio transcriptions (json, text, verbose_json, streamed) and translations. The random
// weights make the text noise, but the same noise every time at temperature 0.
const audio = () => toFile(fs.readFileSync(speech), 'speech.wav', { type: 'audio/wav' });
const transcript = await openai.audio.transcriptions.create({ file: await audio(), model: audioModel, max_tokens: 4 });
assert.equal(typeof transcript.text, 'string');
assert.ok(transcript.text.length > 0);
const plainText = await openai.audio.transcriptions.create({ file: await audio(), model: audioModel, response_format: 'text', max_tokens: 4 });
assert.equal(plainText.trim(), transcript.text);
const verbose = await openai.audio.transcriptions.create({
  file: await audio(), model: audioModel, response_format: 'verbose_json', timestamp_granularities: ['segment'], max_tokens: 4,
});
assert.equal(verbose.text, transcript.text);
assert.equal(verbose.segments.length, 1);
assert.equal(verbose.segments[0].start, 0);
assert.ok(Math.abs(verbose.segments[0].end - verbose.duration) < 1e-9);
let deltas = '';
let doneEvent;
for await (const event of await openai.audio.transcriptions.create({ file: await audio(), model: audioModel, stream: true, max_tokens: 4 })) {
  if (event.type === 'transcript.text.delta') deltas += event.delta;
  if (event.type === 'transcript.text.done') doneEvent = event;
}
assert.equal(doneEvent.text, transcript.text);
assert.equal(deltas, transcript.text);
const translation = await openai.audio.translations.create({ file: await audio(), model: audioModel, max_tokens: 4 });
assert.equal(typeof translation.text, 'string');
await assert.rejects(openai.audio.transcriptions.create({ file: await audio(), model }), (error) => error.status === 400);
// Tools: the Ollama client's tool definitions are accepted; OpenAI's tool_choice "required" yields calls.
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather', description: 'Weather in a city',
    parameters: { type: 'object', properties: { days: { type: 'integer' }, metric: { type: 'boolean' } }, required: ['days'] },
  },
}];
const withTools = await ollama.chat({ model: chatModel, messages, tools, stream: false, options: { num_predict: 8, temperature: 0 } });
assert.equal(withTools.done, true);
const forced = await openai.chat.completions.create({
  model: chatModel, messages, tools, tool_choice: 'required', max_tokens: 300, temperature: 0,
});
assert.equal(forced.choices[0].finish_reason, 'tool_calls');
for (const call of forced.choices[0].message.tool_calls) {
  assert.equal(call.function.name, 'get_weather');
  assert.ok(Number.isInteger(JSON.parse(call.function.arguments).days));
}

// JSON schema output through both clients.
const schema = { type: 'object', properties: { answer: { type: 'boolean' } }, required: ['answer'] };
const ollamaJson = await ollama.chat({ model, messages, format: schema, stream: false, options: { num_predict: 40, temperature: 0 } });
assert.equal(typeof JSON.parse(ollamaJson.message.content).answer, 'boolean');
const openaiJson = await openai.chat.completions.create({
  model, messages, max_tokens: 40, temperature: 0,
  response_format: { type: 'json_schema', json_schema: { name: 'reply', schema } },
});
assert.equal(typeof JSON.parse(openaiJson.choices[0].message.content).answer, 'boolean');

// Embeddings: a generative model has none, and both clients see Ollama's 400.
await assert.rejects(ollama.embed({ model, input: 'hello' }), (error) => error.status_code === 400);
await assert.rejects(openai.embeddings.create({ model, input: 'hello' }), (error) => error.status === 400);

// The model store through the Ollama client: create from a stored model, show, copy, delete.
for await (const progress of await ollama.create({ model: 'tiny-copy', from: audioModel, stream: true })) {
  assert.ok(progress.status);
}
const shown = await ollama.show({ model: 'tiny-copy' });
assert.ok(shown.capabilities.includes('completion') && shown.capabilities.includes('audio'));
await ollama.copy({ source: 'tiny-copy', destination: 'tiny-copy-2' });
await ollama.delete({ model: 'tiny-copy' });
await ollama.delete({ model: 'tiny-copy-2' });
assert.ok(!(await ollama.list()).models.some((m) => m.name.startsWith('tiny-copy')));
await assert.rejects(ollama.delete({ model: 'tiny-copy' }), (error) => error.status_code === 404);

console.log('client libraries: all checks passed');
