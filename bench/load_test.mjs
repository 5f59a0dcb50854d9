// Load test for `hearth serve`: N clients stream chats for a fixed time, each starting its next request as
// soon as the last one ends, and the server's resident memory is sampled throughout. Reports requests,
// errors, tokens, time to first token and the RSS curve. Usage (see load_test.sh):
//   node bench/load_test.mjs --url http://127.0.0.1:PORT --model M --pid PID [--clients 32] [--seconds 120]
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const url = args.url;
const model = args.model;
const pid = args.pid;
const clients = Number(args.clients ?? 32);
const seconds = Number(args.seconds ?? 120);
const numPredict = Number(args['num-predict'] ?? 48);

const rssKiB = () => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
};

const stats = { requests: 0, errors: 0, tokens: 0, ttft: [], errorSamples: [] };
const deadline = Date.now() + seconds * 1000;

async function oneChat(client, turn) {
  const started = Date.now();
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      model,
      stream: true,
      messages: [{ role: 'user', content: `Client ${client}, turn ${turn}: tell me something.` }],
      options: { num_predict: numPredict, temperature: 0.8, seed: client * 1000 + turn },
    }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffered = '';
  let first = true;
  let done = false;
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line);
      if (event.error) throw new Error(event.error);
      if (first) {
        stats.ttft.push(Date.now() - started);
        first = false;
      }
      if (event.done) {
        stats.tokens += event.eval_count;
        done = true;
      }
    }
  }
  if (!done) throw new Error('stream ended without a final object');
}

async function client(id) {
  for (let turn = 0; Date.now() < deadline; ++turn) {
    try {
      await oneChat(id, turn);
      stats.requests += 1;
    } catch (error) {
      stats.errors += 1;
      if (stats.errorSamples.length < 5) stats.errorSamples.push(String(error));
    }
  }
}

const rss = [];
const sampler = setInterval(() => rss.push(rssKiB()), 5000);
rss.push(rssKiB());
const began = Date.now();
await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
clearInterval(sampler);
rss.push(rssKiB());
const elapsed = (Date.now() - began) / 1000;
const sorted = stats.ttft.sort((a, b) => a - b);
const quantile = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const mib = (kib) => (kib / 1024).toFixed(1);
console.log(JSON.stringify({
  clients, seconds: elapsed, requests: stats.requests, errors: stats.errors, error_samples: stats.errorSamples,
  generated_tokens: stats.tokens, tokens_per_second: +(stats.tokens / elapsed).toFixed(1),
  ttft_ms: { p50: quantile(0.5), p90: quantile(0.9), max: sorted[sorted.length - 1] },
  rss_mib: { first: mib(rss[0]), after_first_minute: mib(rss[Math.min(rss.length - 1, 12)]), last: mib(rss[rss.length - 1]),
             max: mib(Math.max(...rss)), samples: rss.map(mib) },
}, null, 2));
process.exit(stats.errors === 0 ? 0 : 1);
