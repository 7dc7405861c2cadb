// Drives a running switchboard with the official `ollama` npm client pointed at its /ollama
// prefix: list, show, chat and generate (streamed and not), embed, version, ps, and the errors an
// application sees (an unknown model, a stream the upstream cuts). Prints one JSON line.
//   usage: node ollama_client.mjs HOST MODEL CUT_MODEL
import { Ollama } from "ollama";

const [host, model, cutModel] = process.argv.slice(2);
const client = new Ollama({ host });
const messages = [{ role: "user", content: "hello" }];
const out = {};

out.models = (await client.list()).models.map((m) => m.model).sort();
out.show = (await client.show({ model })).modelfile;

out.chat = [];
for await (const part of await client.chat({ model, messages, stream: true }))
  if (!part.done) out.chat.push(part.message.content);
out.chatWhole = (await client.chat({ model, messages, stream: false })).message.content;

out.generate = [];
for await (const part of await client.generate({ model, prompt: "hi", stream: true }))
  if (!part.done) out.generate.push(part.response);
out.generateWhole = (await client.generate({ model, prompt: "hi", stream: false })).response;

out.embed = (await client.embed({ model, input: "hi" })).embeddings;
out.version = (await client.version()).version;
out.ps = (await client.ps()).models.map((m) => m.model);

try {
  await client.chat({ model: "no-such-model", messages, stream: false });
} catch (e) {
  out.error = { status: e.status_code, message: e.message };
}
out.cut = [];
try {
  for await (const part of await client.generate({ model: cutModel, prompt: "hi", stream: true }))
    out.cut.push(part.response);
} catch (e) {
  out.cutError = e.message;
}
console.log(JSON.stringify(out));
