// dorisctl manager web console: one framework-free script, no build step.
// Views (by URL hash): #/clusters, #/cluster/<name>, #/deploy, #/agents, #/process.
// Every request goes to this manager with the session cookie; state-changing ones carry the
// session's CSRF token (from the page's <meta name="csrf">) in X-CSRF-Token.
"use strict";

const CSRF = document.querySelector('meta[name="csrf"]').content;
const CHECKS = ["ssh", "python3", "ports", "install_dir", "memory", "max_map_count", "swap", "open_files", "clock", "jdk", "meta_service"];

class ApiError extends Error {
  constructor(msg, status, data) { super(msg); this.status = status; this.data = data; }
}

async function api(path, body) {
  const opts = { credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    opts.method = "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.headers["X-CSRF-Token"] = CSRF;
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  if (r.status === 401) { location.assign("/login"); throw new ApiError("session expired: log in again", 401); }
  let j;
  try { j = await r.json(); } catch (e) { throw new ApiError(`${path}: HTTP ${r.status}`, r.status); }
  if (j.code !== 0) throw new ApiError(j.msg, r.status, j.data);
  return j.data;
}

// -- DOM helpers (textContent only: nothing from the server is parsed as HTML) -------------------
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
function table(id, headers, rows) {
  return el("table", { id }, el("thead", {}, el("tr", {}, headers.map(h => el("th", {}, h)))), el("tbody", {}, rows));
}
function td(text, cls) { return el("td", { class: cls }, text ?? ""); }
function button(label, onclick, attrs) { return el("button", { type: "button", onclick, ...(attrs || {}) }, label); }
function showError(msg) { const b = document.getElementById("error"); b.textContent = msg; b.hidden = !msg; }

// -- routing and refresh -------------------------------------------------------------------------
const view = () => document.getElementById("view");
let timers = [];
let generation = 0;  // a view's refresh loop stops when another view is shown

function every(ms, fn) {
  const gen = generation;
  let busy = false;
  const tick = async () => {
    if (busy || gen !== generation) return;  // never overlap two refreshes of one view
    busy = true;
    try { await fn(); if (gen === generation) showError(""); }
    catch (e) { if (gen === generation && e.status !== 401) showError("refresh failed: " + e.message); }
    finally { busy = false; }
  };
  timers.push(setInterval(tick, ms));
  return tick();
}

async function route() {
  timers.forEach(clearInterval); timers = []; generation++;
  showError("");
  const h = location.hash || "#/clusters";
  const [, page, arg] = h.match(/^#\/([a-z]+)\/?(.*)$/) || [null, "clusters", ""];
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.id === "nav-" + (page === "cluster" ? "clusters" : page));
  view().replaceChildren();
  try {
    if (page === "cluster" && arg) await clusterPage(decodeURIComponent(arg));
    else if (page === "deploy") deployPage();
    else if (page === "agents") await agentsPage();
    else if (page === "process") await processPage();
    else await clustersPage();
  } catch (e) { showError(e.message); }
}

// -- clusters --------------------------------------------------------------------------------------
async function clustersPage() {
  document.title = "Clusters · dorisctl manager";
  const box = el("div", {});
  view().append(el("h1", {}, "Clusters"), box);
  await every(3000, async () => {
    const list = await api("/api/cluster");
    if (!list.length) {
      box.replaceChildren(el("p", { id: "clusters-none" }, "No clusters yet. ", el("a", { href: "#/deploy" }, "Deploy one from a topology file.")));
      return;
    }
    box.replaceChildren(table("clusters", ["name", "mode", "process", "step", "status", "finished", "created"], list.map(c =>
      el("tr", {},
        el("td", { class: "name" }, el("a", { href: "#/cluster/" + encodeURIComponent(c.name) }, c.name)),
        td(c.deployMode, "mode"), td(c.processId, "process"), td(c.processType, "step"),
        td(c.status, "status " + (c.status || "")), td(c.finish === "YES" ? "yes" : "no", "finish"), td(c.createTime, "created")))));
  });
}

// -- one cluster: nodes, the process live, topology ----------------------------------------------
async function clusterPage(name) {
  document.title = `${name} · dorisctl manager`;
  const head = el("p", { id: "cluster-head" });
  const nodes = el("div", { id: "nodes-box" }, "probing the nodes…");
  const proc = el("div", { id: "process-box" });
  const topo = el("pre", { id: "topology" });
  const ops = operations(name, () => loadNodes());
  view().append(el("h1", {}, "Cluster ", el("span", { id: "cluster-name" }, name)), head,
    el("h2", {}, "Nodes ", button("refresh", () => loadNodes())), nodes,
    el("h2", {}, "Operations"), ops.box,
    el("h2", {}, "Latest process"), proc, el("h2", {}, "Topology"), topo);
  const logView = logFollower();
  const loadNodes = async () => {
    const d = await api(`/api/cluster/${encodeURIComponent(name)}/display`);
    const cloud = d.deployMode === "cloud";
    const hdr = ["id", "role", "host", "ports", "agent", "process", "doris", "version"].concat(cloud ? ["meta-service", "cloud_unique_id"] : []);
    ops.nodes(d.nodes);
    const rows = d.nodes.map(n => el("tr", { "data-node": n.id },
      td(n.id, "id"), td(n.role + (n.feType ? ` (${n.feType})` : ""), "role"), td(n.host, "host"), td(n.ports, "ports"),
      td(n.agent, "agent " + (n.agent === "RUNNING" ? "RUNNING-agent" : n.agent)), td(n.process, "proc " + n.process),
      td(n.doris, "doris " + n.doris), td(n.version, "version"),
      cloud ? td(n.metaService, "ms " + (n.metaService === "not registered" ? "fail" : "")) : null,
      cloud ? td(n.cloudUniqueId, "uid") : null));
    const notes = [d.dorisError ? el("p", { class: "warn" }, "Doris: " + d.dorisError) : null,
      d.metaServiceError ? el("p", { class: "warn" }, "meta-service: " + d.metaServiceError) : null];
    nodes.replaceChildren(table("nodes", hdr, rows), ...notes.filter(Boolean));
  };
  let first = true;
  await every(2000, async () => {
    const c = await api(`/api/cluster/${encodeURIComponent(name)}`);
    head.textContent = `${c.deployMode} mode` + (c.topology.meta_service ? `, instance ${c.topology.meta_service.instance_id}` : "") + `, created ${c.createTime}`;
    const shown = JSON.stringify(c.topology, null, 2);
    if (first || topo.textContent !== shown) { topo.textContent = shown; first = false; }
    const wasRunning = ops.running;
    ops.running = !!(c.process && c.process.finish !== "YES");
    if (wasRunning && !ops.running) loadNodes().catch(() => {});  // an operation ended: show its effect
    proc.replaceChildren(...processView(c.process, logView, { retryAll: () => api(`/api/cluster/${encodeURIComponent(name)}/retry`, {}) }));
    await logView.refresh();
  });
  loadNodes().catch(e => nodes.replaceChildren(el("p", { class: "FAILURE" }, "display failed: " + e.message)));
  timers.push(setInterval(() => loadNodes().catch(() => {}), 10000));
}

// The cluster's lifecycle operations: each button starts a process (shown below, live, with retry
// and skip per task); the refusals (busy, unknown node, bad input) are shown as errors.
function operations(name, reload) {
  const base = `/api/cluster/${encodeURIComponent(name)}/`;
  const role = el("select", { id: "op-role" }, el("option", { value: "" }, "all roles"),
    ...["fe", "be", "broker"].map(r => el("option", { value: r }, r)));
  const node = el("select", { id: "op-node" }, el("option", { value: "" }, "all nodes"));
  const pkg = el("input", { id: "op-package", placeholder: "new package URL", size: 40 });
  const sha = el("input", { id: "op-sha256", placeholder: "sha256 (optional)", size: 20 });
  const frag = el("textarea", { id: "op-topology", placeholder: "reload: the whole topology file; scale-out: only the new nodes (be: [...])" });
  frag.style.height = "120px";
  const force = el("input", { type: "checkbox", id: "op-force" });
  const purge = el("input", { type: "checkbox", id: "op-purge" });
  const dropInst = el("input", { type: "checkbox", id: "op-drop-instance" });
  const status = el("span", { id: "op-status" });
  const run = (kind, body) => act(kind, async () => {
    const d = await api(base + kind, body());
    status.textContent = d.processId ? `${kind}: process ${d.processId}` : `${kind}: nothing to do`;
    reload().catch(() => {});
  }, { id: "op-" + kind });
  const filters = () => ({ role: role.value || null, node: node.value || null });
  const box = el("div", { id: "ops", class: "actions" },
    el("div", {}, role, " ", node, " ", run("stop", filters), run("start", filters), run("restart", filters)),
    el("div", {}, pkg, " ", sha, " ", run("upgrade", () => ({ packageUrl: pkg.value, sha256: sha.value || null })),
      run("rollback", () => ({}))),
    el("div", {}, frag),
    el("div", {}, run("reload", () => ({ topologyText: frag.value })), run("scale-out", () => ({ topologyText: frag.value })),
      el("label", {}, force, " force"), el("label", {}, purge, " purge data"),
      run("scale-in", () => ({ node: node.value, force: force.checked, purgeData: purge.checked }))),
    el("div", {}, el("label", {}, dropInst, " drop the meta-service instance"),
      act("destroy", async () => {
        const typed = prompt(`Destroy ${name}: every node is stopped and its install removed. Type the cluster's name:`);
        if (typed !== name) { status.textContent = "destroy cancelled: the name did not match"; return; }
        await api(base + "destroy", { confirm: typed, purgeData: purge.checked, dropInstance: dropInst.checked });
        status.textContent = "destroy started";
      }, { id: "op-destroy" })),
    status);
  let known = "";
  return {
    box,
    running: false,
    nodes(list) {  // the node choices, as ALTER SYSTEM names them
      const ids = list.map(n => n.id).join(",");
      if (ids === known) return;
      known = ids;
      const keep = node.value;
      node.replaceChildren(el("option", { value: "" }, "all nodes"), ...list.map(n => el("option", { value: n.id }, `${n.id} (${n.role})`)));
      node.value = list.some(n => n.id === keep) ? keep : "";
    },
  };
}

function logFollower() {
  const pre = el("pre", { id: "log", hidden: true });
  let shown = null;
  return {
    pre,
    async show(t) { shown = t; await this.refresh(); },
    async refresh() {
      if (!shown) return;
      const t = shown;
      const d = await api("/api/process/task/log/" + t.id);
      if (shown !== t) return;
      pre.textContent = `log of task ${t.id} (${t.taskType} on ${t.host})\n` + (d.logPath ? d.logPath + "\n" : "") + (d.log || "(no log yet)");
      pre.hidden = false;
    },
  };
}

function act(label, fn, attrs) {
  return button(label, async (ev) => {
    ev.target.disabled = true;
    try { await fn(); showError(""); } catch (e) { showError(`${label} failed: ${e.message}`); }
    finally { ev.target.disabled = false; }
  }, attrs);
}

// The process step by step: each step's tasks per host with their state, result and actions.
function processView(p, logView, extra) {
  if (!p) return [el("p", { id: "process" }, "no process")];
  const out = [el("p", { id: "process" }, `process ${p.id} of cluster ${p.clusterId}: step ${p.processType}, ${p.status}` + (p.finish === "YES" ? ", finished" : ""))];
  const failed = [];
  for (const s of p.steps) {
    const states = s.tasks.map(t => t.status);
    const state = !states.length ? "" : states.includes("FAILURE") ? "FAILURE" : states.every(x => x === "SUCCESS") ? "SUCCESS" : "RUNNING";
    out.push(el("div", { class: "step-head", "data-step": s.step }, s.step, el("span", { class: "state " + state }, state)));
    out.push(table("", ["id", "host", "role", "task", "status", "attempts", "result", ""], s.tasks.map(t => {
      const open = t.status === "FAILURE" && t.finish !== "YES";
      if (open) failed.push(t);
      return el("tr", { "data-task": t.id, class: "task" },
        td(t.id, "id"), td(t.host, "host"), td(t.taskRole, "role"), td(t.taskType, "task"),
        td(t.skip === "YES" ? "SKIPPED" : t.status, "status " + (t.skip === "YES" ? "skipped" : t.status)),
        td(t.attempts, "attempts"), td(t.result, "result"),
        el("td", { class: "actions" },
          button("log", () => logView.show(t).catch(e => showError(e.message)), { class: "log" }),
          open ? act("retry", () => api("/api/process/task/retry/" + t.id, {}), { class: "retry" }) : null,
          open ? act("skip", () => api("/api/process/task/skip/" + t.id, {}), { class: "skip" }) : null));
    })));
  }
  const actions = el("div", { class: "actions" });
  if (p.finish !== "YES") {
    if (failed.length && extra && extra.retryAll) actions.append(act(`retry ${failed.length} failed`, extra.retryAll, { id: "retry-all" }));
    if (p.processType === "START_SERVICE") actions.append(act("back to DEPLOY_CONFIG", () => api("/api/process/back/" + p.id, {}), { id: "back" }));
    actions.append(act("cancel process", async () => { if (confirm(`Cancel process ${p.id}?`)) await api("/api/process/cancel/" + p.id, {}); }, { id: "cancel" }));
  }
  out.push(actions, logView.pre);
  return out;
}

// -- deploy: topology in, preflight table, deploy, then the cluster page -------------------------
function deployPage() {
  document.title = "Deploy · dorisctl manager";
  const name = el("input", { id: "deploy-name", placeholder: "cluster name", size: 24 });
  const text = el("textarea", { id: "topology-text", spellcheck: "false", placeholder: "deploy_mode: cloud\nglobal:\n  user: doris\n  ..." });
  const file = el("input", { id: "topology-file", type: "file", accept: ".yaml,.yml,.json,text/yaml" });
  file.addEventListener("change", async () => { if (file.files.length) text.value = await file.files[0].text(); });
  const skips = CHECKS.map(c => el("label", {}, el("input", { type: "checkbox", value: c, class: "skip-check" }), " " + c));
  const result = el("div", { id: "checks-box" });
  const body = () => ({ name: name.value.trim(), topologyText: text.value, skipChecks: skips.map(l => l.firstChild).filter(i => i.checked).map(i => i.value) });
  const run = (label, fn) => act(label, async () => {
    result.replaceChildren(el("p", { class: "muted" }, label === "Run preflight" ? "running the checks on every host…" : "checking, then deploying…"));
    try { await fn(); } catch (e) {
      result.replaceChildren(el("p", { id: "deploy-error", class: "FAILURE" }, e.message),
        ...(e.data && e.data.problems ? [el("ul", {}, e.data.problems.map(p => el("li", {}, p)))] : []),
        ...(e.data && e.data.checks ? checksView(e.data.checks) : []));
    }
  }, { id: label === "Run preflight" ? "run-check" : "run-deploy" });
  view().append(el("h1", {}, "Deploy a cluster"),
    el("p", {}, "Name ", name, " ", "Topology file ", file),
    text,
    el("p", {}, "Skip checks (only for hosts that cannot meet them): ", skips),
    el("div", { class: "actions" },
      run("Run preflight", async () => { const d = await api("/api/cluster/check", body()); result.replaceChildren(...checksView(d.checks, d.ok)); }),
      run("Deploy", async () => { const d = await api("/api/cluster/deploy", body()); location.hash = "#/cluster/" + encodeURIComponent(d.name); })),
    result);
}

function checksView(checks, ok) {
  const hosts = [...new Set(checks.map(c => c.host))];
  const names = CHECKS.filter(n => checks.some(c => c.check === n));
  const rows = hosts.map(h => el("tr", { "data-host": h }, td(h, "host"), names.map(n => {
    const c = checks.find(x => x.host === h && x.check === n);
    return c ? el("td", { class: `check-${n} ${c.status}`, title: c.detail || "" }, c.status) : td("", "muted");
  })));
  const bad = checks.filter(c => c.status === "fail");
  const verdict = ok === undefined ? null : el("p", { id: "check-verdict", class: ok ? "pass" : "fail" }, ok ? "every check passed" : `${bad.length} check(s) failed`);
  return [verdict, el("div", { class: "checks" }, table("checks", ["host"].concat(names), rows)),
    bad.length ? el("ul", { id: "fixes" }, bad.map(c => el("li", {}, `${c.check} on ${c.host}: ${c.detail}`, c.fix ? el("div", { class: "fix" }, "fix: " + c.fix) : null))) : null].filter(Boolean);
}

// -- agents with hardware ------------------------------------------------------------------------------
async function agentsPage() {
  document.title = "Agents · dorisctl manager";
  const box = el("div", {});
  view().append(el("h1", {}, "Agents"), box);
  await every(3000, async () => {
    const agents = await api("/api/server/agentList");
    const hw = {};
    for (const a of agents) if (!(a.clusterId in hw)) hw[a.clusterId] = await api("/api/agent/hardware/" + encodeURIComponent(a.clusterId));
    if (!agents.length) { box.replaceChildren(el("p", { id: "agents-none" }, "no agents")); return; }
    box.replaceChildren(table("agents", ["cluster", "host", "status", "cpu", "cores", "memory", "disks", "os", "kernel", "last report"], agents.map(a => {
      const h = (hw[a.clusterId] || []).find(x => x.host === a.host) || {};
      const gib = n => (n / 2 ** 30).toFixed(n < 10 * 2 ** 30 ? 1 : 0) + " GiB";
      const disks = (h.disks || []).map(d => `${d.path} ${gib(d.free)} free of ${gib(d.total)}`).join(", ");
      return el("tr", {}, td(a.clusterId, "cluster"), td(a.host, "host"),
        td(a.status, "status " + (a.status === "RUNNING" ? "RUNNING-agent" : a.status)),
        td(h.cpu, "cpu"), td(h.cores, "cores"), td(h.totalMemory, "memory"), td(disks, "disks"), td(h.os, "os"), td(h.kernel, "kernel"),
        td(a.lastReportedTime, "reported"));
    })));
  });
}

// -- a process of the step-by-step API (not started from a topology) --------------------------------
async function processPage() {
  document.title = "Processes · dorisctl manager";
  const box = el("div", { id: "process-box" });
  view().append(el("h1", {}, "Current process"), box);
  const logView = logFollower();
  await every(2000, async () => {
    const p = await api("/api/process/currentProcess");
    if (!p) { box.replaceChildren(el("p", { id: "process" }, "no unfinished process")); return; }
    const tasks = await api(`/api/process/${p.id}/progress`);
    const steps = [];
    for (const t of tasks) {
      let s = steps.find(x => x.step === t.processType);
      if (!s) steps.push(s = { step: t.processType, tasks: [] });
      s.tasks.push(t);
    }
    box.replaceChildren(...processView({ ...p, steps }, logView, null));
    await logView.refresh();
  });
}

window.addEventListener("hashchange", route);
route();
