// The query page: YASGUI on our endpoint, with our prefixes and the example queries.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const endpoint = new URL(config.endpoint, document.baseURI).href;
  document.getElementById("endpoint-url").textContent = endpoint;

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

  window.kgQueryPage = { yasgui: yasgui, openExample: openExample, endpoint: endpoint };
})();
