// moe4j chat page: streams answers from /v1/chat/completions and shows, for every generated token, the
// experts each MoE layer selected (the server sends them in the "moe4j" field of each stream chunk).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { history: [], model: null, layers: [], experts: 0, usage: [], controller: null, tokens: 0 };

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

function setStatus(text) { $("status").textContent = text; }

async function loadModel() {
  try {
    const r = await fetch("/v1/models", { headers: headers() });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
    const m = body.data[0];
    state.model = m.id;
    const x = m.moe4j || {};
    state.layers = x.moe_layers || [];
    state.experts = x.experts || 0;
    $("model-info").textContent = `${m.id} · ${x.architecture || "?"} · ${x.experts || 0} experts, ${x.experts_per_token || 0} per token · `
      + `${state.layers.length} MoE layers · context ${x.context_length || "?"}`;
    if (x.default_policy) $("policy").placeholder = "server default: " + x.default_policy;
    resetRouting();
  } catch (e) {
    $("model-info").textContent = "could not load the model list: " + e.message;
  }
}

function addMessage(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  if (role === "assistant") {
    div.innerHTML = '<span class="reasoning" hidden></span><span class="content"></span><span class="meta"></span>';
    div.querySelector(".content").textContent = text || "";
  } else {
    div.textContent = text;
  }
  $("messages").appendChild(div);
  $("messages").scrollTop = $("messages").scrollHeight;
  return div;
}

function resetRouting() {
  state.usage = state.layers.map(() => new Array(state.experts).fill(0));
  state.tokens = 0;
  const head = document.createElement("tr");
  head.innerHTML = "<th class=layer>layer</th>";
  $("routing").tHead.replaceChildren(head);
  const body = $("routing").tBodies[0];
  body.replaceChildren();
  for (const l of state.layers) {
    const tr = document.createElement("tr");
    tr.dataset.layer = l;
    tr.innerHTML = `<th class="layer">${l}</th>`;
    body.appendChild(tr);
  }
  drawUsage();
}

// a stable colour per expert id: hues spread by the golden angle
function colour(expert, alpha) { return `hsla(${(expert * 137.508) % 360}, 65%, 55%, ${alpha})`; }

function addRouting(r, text) {
  state.tokens++;
  const th = document.createElement("th");
  th.textContent = JSON.stringify(text).slice(1, -1) || "·";
  th.title = `token ${r.token}, position ${r.position}`;
  $("routing").tHead.rows[0].appendChild(th);
  const rows = $("routing").tBodies[0].rows;
  r.layers.forEach((layer, i) => {
    const row = Array.from(rows).find((tr) => Number(tr.dataset.layer) === layer);
    if (!row) return;
    const td = document.createElement("td");
    td.className = "routing-cell";
    const experts = r.experts[i];
    td.textContent = experts.join(" ");
    td.style.background = colour(experts[0], 0.35 + 0.6 * (r.weights[i][0] || 0));
    td.title = experts.map((e, j) => `expert ${e}: ${r.weights[i][j]}`).join("\n");
    row.appendChild(td);
    const li = state.layers.indexOf(layer);
    if (li >= 0) for (const e of experts) state.usage[li][e] = (state.usage[li][e] || 0) + 1;
  });
  drawUsage();
  const scroll = $("routing-scroll");
  scroll.scrollLeft = scroll.scrollWidth;
}

function drawUsage() {
  const box = $("expert-usage");
  box.replaceChildren();
  state.layers.forEach((layer, li) => {
    const counts = state.usage[li] || [];
    const max = Math.max(1, ...counts);
    const div = document.createElement("div");
    div.className = "layer";
    div.innerHTML = `<span class="label">layer ${layer}</span>`;
    counts.forEach((c, e) => {
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.height = Math.max(1, Math.round(34 * c / max)) + "px";
      bar.style.background = colour(e, 0.9);
      bar.title = `expert ${e}: ${c} of ${state.tokens} tokens`;
      div.appendChild(bar);
    });
    box.appendChild(div);
  });
}

function requestBody() {
  const messages = [];
  const system = $("system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  messages.push(...state.history);
  const body = {
    model: state.model || undefined,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: Number($("temperature").value),
    max_tokens: Number($("max-tokens").value),
    moe4j: { trace: true },
  };
  const seed = $("seed").value.trim();
  if (seed) body.seed = Number(seed);
  const policy = $("policy").value.trim();
  if (policy) body.moe4j.policy = policy.split(/\s+/);
  return body;
}

async function send(text) {
  state.history.push({ role: "user", content: text });
  addMessage("user", text);
  const div = addMessage("assistant", "");
  const contentEl = div.querySelector(".content");
  const reasoningEl = div.querySelector(".reasoning");
  const metaEl = div.querySelector(".meta");
  resetRouting();
  const controller = new AbortController();
  state.controller = controller;
  $("send").disabled = true;
  $("stop").disabled = false;
  setStatus("generating...");
  let content = "", reasoning = "", usage = null, finish = null;
  const t0 = performance.now();
  try {
    const r = await fetch("/v1/chat/completions", { method: "POST", headers: headers(), body: JSON.stringify(requestBody()), signal: controller.signal });
    if (!r.ok) {
      const err = await r.json().catch(() => ({}));
      throw new Error(err.error ? err.error.message : r.status + " " + r.statusText);
    }
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") continue;
          const chunk = JSON.parse(data);
          if (chunk.error) throw new Error(chunk.error.message);
          if (chunk.usage) usage = chunk.usage;
          const choice = (chunk.choices || [])[0];
          let piece = "";
          if (choice) {
            const d = choice.delta || {};
            if (d.content) { content += d.content; piece = d.content; }
            if (d.reasoning_content) { reasoning += d.reasoning_content; piece = piece || d.reasoning_content; }
            if (choice.finish_reason) finish = choice.finish_reason;
          }
          const routing = chunk.moe4j && chunk.moe4j.routing;
          if (routing) routing.forEach((rt, i) => addRouting(rt, i === routing.length - 1 ? piece : ""));
          contentEl.textContent = content;
          reasoningEl.textContent = reasoning;
          reasoningEl.hidden = !reasoning || !$("show-reasoning").checked;
          $("messages").scrollTop = $("messages").scrollHeight;
        }
      }
    }
    state.history.push({ role: "assistant", content });
    const secs = (performance.now() - t0) / 1000;
    if (usage) metaEl.textContent = `${usage.completion_tokens} tokens in ${secs.toFixed(2)} s · ${finish || ""}`;
    setStatus("ready");
  } catch (e) {
    if (e.name === "AbortError") {
      state.history.push({ role: "assistant", content });
      metaEl.textContent = "stopped";
      setStatus("stopped");
    } else {
      state.history.pop();
      div.remove();
      addMessage("error", e.message);
      setStatus("error");
    }
  } finally {
    state.controller = null;
    $("send").disabled = false;
    $("stop").disabled = true;
  }
}

$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("input").value.trim();
  if (!text || state.controller) return;
  $("input").value = "";
  send(text);
});
$("input").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("composer").requestSubmit(); }
});
$("stop").addEventListener("click", () => { if (state.controller) state.controller.abort(); });
$("reset").addEventListener("click", () => { state.history = []; $("messages").replaceChildren(); resetRouting(); setStatus("new chat"); });
$("show-reasoning").addEventListener("change", () => {
  for (const el of document.querySelectorAll(".msg .reasoning")) el.hidden = !el.textContent || !$("show-reasoning").checked;
});
$("api-key").value = localStorage.getItem("moe4j-api-key") || "";
$("api-key").addEventListener("change", () => { localStorage.setItem("moe4j-api-key", $("api-key").value); loadModel(); });
loadModel();
setStatus("ready");
