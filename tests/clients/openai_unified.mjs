// Drives switchboard's unified API (/api) with the official `openai` npm client, for one model:
// list models, a whole chat, a streamed one with usage, a tool call whole and streamed, an
// embedding. Prints one JSON line.
//   usage: node openai_unified.mjs BASE_URL MODEL WITH_TOOLS(0|1)
import OpenAI from "openai";

const [baseURL, model, withTools] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused-in-single-user-mode", maxRetries: 0 });
const messages = [{ role: "user", content: "hello" }];

const models = [];
for await (const m of client.models.list()) models.push(m.id);

const whole = await client.chat.completions.create({ model, messages });

const deltas = [];
let usage = null;
let finish = null;
const stream = await client.chat.completions.create({
  model, messages, stream: true, stream_options: { include_usage: true },
});
for await (const chunk of stream) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) deltas.push(choice.delta.content);
  if (choice?.finish_reason) finish = choice.finish_reason;
  if (chunk.usage) usage = chunk.usage;
}

let tool = null;
let streamedTool = null;
if (withTools === "1") {
  const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }];
  const called = await client.chat.completions.create({ model, messages, tools });
  tool = called.choices[0].message.tool_calls[0].function;
  const runner = client.chat.completions.stream({ model, messages, tools });
  const final = await runner.finalChatCompletion();
  streamedTool = final.choices[0].message.tool_calls[0].function;
}

const embedding = (await client.embeddings.create({ model, input: "hello" })).data[0].embedding;

console.log(JSON.stringify({
  models, whole: whole.choices[0].message.content, wholeUsage: whole.usage, deltas, finish, usage,
  tool, streamedTool, embedding,
}));
