// Drives a running switchboard with the official `openai` npm client: list models, stream a chat
// completion, make a whole one, embed, call the Responses API (whole and streamed), and read an
// error the way applications do. Prints one JSON line.
//   usage: node openai_client.mjs BASE_URL STREAM_MODEL
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused-in-single-user-mode", maxRetries: 0 });

const models = [];
for await (const m of client.models.list()) models.push(m.id);

const stream = await client.chat.completions.create({
  model,
  stream: true,
  messages: [{ role: "user", content: "hello" }],
});
const deltas = [];
for await (const chunk of stream) {
  const d = chunk.choices[0]?.delta?.content;
  if (d) deltas.push(d);
}

const whole = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });

let error = null;
try {
  await client.chat.completions.create({ model: "no-such-model", messages: [] });
} catch (e) {
  error = { status: e.status, message: e.message };
}

const embedding = (await client.embeddings.create({ model, input: "hello" })).data[0].embedding;

const response = await client.responses.create({ model, input: "hello" });
const responseDeltas = [];
for await (const event of await client.responses.create({ model, input: "hello", stream: true }))
  if (event.type === "response.output_text.delta") responseDeltas.push(event.delta);

console.log(JSON.stringify({
  models, deltas, whole: whole.choices[0].message.content, error, embedding,
  responseText: response.output_text, responseDeltas,
}));
