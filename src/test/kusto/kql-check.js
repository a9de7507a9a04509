#!/usr/bin/env node
// Checks KQL texts with Microsoft's Kusto language service (@kusto/language-service-next).
// Input (file given as the only argument): {"table": "AzureDiagnostics", "schema": "(col:type, ...)",
//   "queries": [{"name": "...", "text": "..."}]}
// Output (stdout): [{"name", "diagnostics": [{"code","severity","message","start","length"}],
//   "columns": [{"name","type"}]}] — columns are the result schema the service computes.
'use strict';
const fs = require('fs');
const path = require('path');

const pkg = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
require(path.join(pkg, 'bridge.min.js'));
require(path.join(pkg, 'Kusto.Language.Bridge.min.js'));
const K = global.Kusto.Language;

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const table = new K.Symbols.TableSymbol.$ctor7(input.table, input.schema, null);
const db = new K.Symbols.DatabaseSymbol.ctor('workspace', [table]);
const globals = K.GlobalState.Default.WithDatabase(db);

const out = input.queries.map(q => {
  const code = K.KustoCode.ParseAndAnalyze(q.text, globals);
  const diagnostics = global.Bridge.toArray(code.GetDiagnostics()).map(d => ({
    code: d.Code, severity: String(d.Severity), message: d.Message, start: d.Start, length: d.Length,
  }));
  const rt = code.ResultType;
  const columns = rt && rt.Columns ? global.Bridge.toArray(rt.Columns).map(c => ({ name: c.Name, type: c.Type.Name })) : [];
  return { name: q.name, diagnostics, columns };
});
process.stdout.write(JSON.stringify(out));
