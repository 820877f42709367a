// The query page: YASGUI on our endpoint, with our prefixes and the example queries.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const endpoint = new URL(config.endpoint, document.baseURI).href;
  document.getElementById("endpoint-url").textContent = endpoint;
  showResultsForPeople(Yasgui.Yasr.plugins.table, config);

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: "kg-yasgui:" + endpoint,
    // Only completers that need no third-party service (no prefix.cc, no LOV).
    yasqe: { value: config.starterQuery, autocompleters: ["variables"] },
  });

  const examplesByName = Object.fromEntries(config.examples.map((e) => [e.name, e]));

  // Open an example in its own tab (or return to it), on our endpoint.
  function openExample(name) {
    const example = examplesByName[name];
    const existing = Object.values(yasgui._tabs).find((t) => t.getName() === example.title);
    const tab = existing
      ? yasgui.selectTabId(existing.getId())
      : yasgui.addTab(true, { name: example.title, yasqe: { value: example.query } });
    tab.setEndpoint(endpoint);
    tab.setQuery(example.query);
    return tab;
  }

  document.getElementById("examples").addEventListener("click", (event) => {
    const button = event.target.closest("button.example");
    if (button) openExample(button.dataset.example);
  });
  document.getElementById("add-prefixes").addEventListener("click", () => {
    yasgui.getTab().getYasqe().addPrefixes(config.prefixes);
  });

  window.kgQueryPage = { yasgui: yasgui, openExample: openExample, endpoint: endpoint,
                         readableLiteral: readableLiteral, resultHref: resultHref };

  // --- the results table, for people -------------------------------------------------------
  // IRIs of our dataset link to our own pages (they work offline, unlike the w3id.org IRIs);
  // other IRIs link out only in safe schemes; dates and durations read as people write them.

  function showResultsForPeople(Table, config) {
    const original = Table.prototype.getCellContent;
    Table.prototype.getCellContent = function (binding, prefixes) {
      if (binding.type === "uri") {
        return `<div><span>${iriCell(binding.value, { ...config.prefixes, ...prefixes })}</span></div>`;
      }
      const text = binding.datatype ? readableLiteral(binding.value, binding.datatype) : null;
      if (text !== null) {
        const raw = `${binding.value} (${shortIri(binding.datatype, config.prefixes)})`;
        return `<div><span class="nonIri readable-literal" title="${escapeHtml(raw)}">${escapeHtml(text)}</span></div>`;
      }
      return original.call(this, binding, prefixes);
    };
  }

  const SAFE_LINK = /^(?:https?:\/\/|mailto:)[^\s\x00-\x1f\x7f]*$/i;

  function resultHref(iri) {
    if (iri.startsWith(config.baseIri)) {
      const rest = iri.slice(config.baseIri.length);
      const entity = /^id\/([^/#?]+)\/([^#?]+)$/.exec(rest);
      const path = entity ? `doc/${entity[1]}/${entity[2]}` : rest;
      return new URL(path, document.baseURI).pathname + (entity ? "" : new URL(path, document.baseURI).hash);
    }
    return SAFE_LINK.test(iri) ? iri : null;
  }

  function iriCell(iri, prefixes) {
    const label = escapeHtml(shortIri(iri, prefixes));
    const href = resultHref(iri);
    if (href === null) return `<span class="iri">${label}</span>`;
    if (href.startsWith("/")) return `<a class="iri" href="${escapeHtml(href)}">${label}</a>`;
    return `<a class="iri" target="_blank" rel="noopener noreferrer" href="${escapeHtml(href)}">${label}</a>`;
  }

  function shortIri(iri, prefixes) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(prefixes || {})) {
      if (iri.startsWith(namespace) && iri.length > namespace.length
          && (best === null || namespace.length > best[1].length)) best = [prefix, namespace];
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"];

  // The same rules as kg.server.ld.readable (the entity pages), for the results table.
  function readableLiteral(value, datatype) {
    const type = datatype.startsWith(XSD) ? datatype.slice(XSD.length) : null;
    let m;
    if (type === "date" && (m = /^(-?\d{4,})-(\d{2})-(\d{2})$/.exec(value))) {
      return `${+m[3]} ${MONTHS[+m[2] - 1]} ${+m[1]}`;
    }
    if (type === "dateTime" && (m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value))) {
      return `${+m[3]} ${MONTHS[+m[2] - 1]} ${+m[1]}, ${m[4]}:${m[5]}`;
    }
    if (type === "gYearMonth" && (m = /^(-?\d{4,})-(\d{2})$/.exec(value))) {
      return `${MONTHS[+m[2] - 1]} ${+m[1]}`;
    }
    if (type === "gYear" && (m = /^(-?\d{4,})$/.exec(value))) return String(+m[1]);
    if (type && /duration$/i.test(type)) return readableDuration(value);
    return null;
  }

  function readableDuration(value) {
    const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
    if (!m || value === "P" || value.endsWith("T")) return null;
    const units = ["year", "month", "week", "day", "hour", "minute", "second"];
    const parts = units.map((unit, i) => [m[i + 2], unit]).filter(([n]) => n !== undefined && +n !== 0)
      .map(([n, unit]) => `${+n} ${unit}${+n === 1 ? "" : "s"}`);
    const text = parts.length ? parts.join(" ") : "0 days";
    return m[1] ? `minus ${text}` : text;
  }
})();
