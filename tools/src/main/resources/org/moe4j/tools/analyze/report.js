// Draws the charts of a moe4j routing report from the JSON in #moe4j-data. Writes "rendered N charts" into
// #moe4j-status once every chart has finished rendering (tests wait for that marker).
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('moe4j-data').textContent);
  var T = D.traces;
  var charts = [];
  var finished = new Set();
  var allCreated = false;

  function status() {
    var s = document.getElementById('moe4j-status');
    s.setAttribute('data-charts', charts.length);
    s.setAttribute('data-finished', finished.size);
    if (allCreated && finished.size === charts.length) s.textContent = 'rendered ' + charts.length + ' charts';
  }

  function chart(id, option) {
    var c = echarts.init(document.getElementById(id), null, {renderer: 'canvas'});
    var index = charts.length;
    c.on('finished', function () { finished.add(index); status(); });
    option.animation = false;
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function color(e) { return 'hsl(' + ((e * 137.508) % 360).toFixed(1) + ', 65%, 72%)'; }
  function layerName(l) { return 'L' + l; }
  function fmt(x, d) { return x === null || x === undefined || isNaN(x) ? '-' : x.toFixed(d); }
  function experts(n) { var a = []; for (var i = 0; i < n; i++) a.push(String(i)); return a; }

  function heatmap(id, title, xs, ys, data, max, xName, yName) {
    return chart(id, {
      title: {text: title, left: 'center', textStyle: {fontSize: 13}},
      tooltip: {position: 'top', formatter: function (p) {
        return yName + ' ' + ys[p.value[1]] + ', ' + xName + ' ' + xs[p.value[0]] + ': ' + p.value[2];
      }},
      grid: {left: 60, right: 20, top: 40, bottom: 90},
      xAxis: {type: 'category', data: xs, name: xName, nameLocation: 'middle', nameGap: 25, splitArea: {show: true}},
      yAxis: {type: 'category', data: ys, name: yName, splitArea: {show: true}},
      visualMap: {min: 0, max: max > 0 ? max : 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 5,
        inRange: {color: ['#f7fbff', '#6baed6', '#08306b']}},
      series: [{type: 'heatmap', data: data, progressive: 0}]
    });
  }

  // expert load per layer: share of tokens routed to each expert
  T.forEach(function (t, i) {
    var data = [], max = 0;
    t.balance.forEach(function (b, li) {
      b.load.forEach(function (c, e) {
        var v = t.tokens > 0 ? +(c / t.tokens).toFixed(4) : 0;
        max = Math.max(max, v);
        data.push([e, li, v]);
      });
    });
    heatmap('chart-load-' + i, t.label + ': share of tokens per expert', experts(t.experts),
      t.moeLayers.map(layerName), data, max, 'expert', 'layer');
  });

  // balance measures
  (function () {
    var series = [];
    T.forEach(function (t) {
      var pre = T.length > 1 ? t.label + ' ' : '';
      series.push({name: pre + 'CV', type: 'line', data: t.balance.map(function (b) { return b.cv; })});
      series.push({name: pre + 'max/mean', type: 'line', data: t.balance.map(function (b) { return b.maxOverMean; })});
      series.push({name: pre + 'normalised entropy', type: 'line', yAxisIndex: 1,
        data: t.balance.map(function (b) { return b.normalizedEntropy; })});
    });
    chart('chart-balance', {
      tooltip: {trigger: 'axis'}, legend: {top: 0, type: 'scroll'}, grid: {left: 60, right: 60, top: 50, bottom: 40},
      xAxis: {type: 'category', data: T[0].moeLayers.map(layerName), name: 'layer'},
      yAxis: [{type: 'value', name: 'CV, max/mean'}, {type: 'value', name: 'entropy / log2(n)', min: 0, max: 1}],
      series: series
    });
  })();

  // co-activation of experts within a layer (off-diagonal counts)
  var coCharts = [];
  function coData(t, layer) {
    var m = t.coActivation.find(function (c) { return c.layer === layer; });
    var data = [], max = 0;
    if (!m) return {data: data, max: 0};
    m.counts.forEach(function (row, a) {
      row.forEach(function (c, b) {
        if (a === b) return;
        max = Math.max(max, c);
        data.push([b, a, c]);
      });
    });
    return {data: data, max: max};
  }
  T.forEach(function (t, i) {
    var d = coData(t, t.matrixLayers[0]);
    coCharts.push(heatmap('chart-coact-' + i, t.label + ': tokens selecting both experts', experts(t.experts),
      experts(t.experts), d.data, d.max, 'expert', 'expert'));
  });
  var coSelect = document.getElementById('select-coact');
  coSelect.addEventListener('change', function () {
    var layer = +coSelect.value;
    T.forEach(function (t, i) {
      var d = coData(t, layer);
      coCharts[i].setOption({visualMap: {max: d.max > 0 ? d.max : 1}, series: [{data: d.data}]});
    });
  });

  // transition affinity between consecutive MoE layers
  (function () {
    var series = [];
    T.forEach(function (t) {
      var pre = T.length > 1 ? t.label + ' ' : '';
      [['top1Accuracy', 'top-1 accuracy'], ['top1Baseline', 'top-1 baseline'], ['normalizedMutualInformation', 'normalised MI'],
        ['setRecall', 'set recall']].forEach(function (m) {
        series.push({name: pre + m[1], type: 'line', data: t.transitions.map(function (x) { return x[m[0]]; })});
      });
    });
    var names = T[0].transitions.map(function (x) { return layerName(x.from) + '\u2192' + layerName(x.to); });
    chart('chart-transitions', {
      tooltip: {trigger: 'axis'}, legend: {top: 0, type: 'scroll'}, grid: {left: 60, right: 30, top: 50, bottom: 40},
      xAxis: {type: 'category', data: names, name: 'layers'}, yAxis: {type: 'value', min: 0, max: 1},
      series: series
    });
  })();
  var trCharts = [];
  function trData(t, from) {
    var m = t.transitions.find(function (x) { return x.from === from && x.counts; });
    var data = [], max = 0;
    if (!m) return {data: data, max: 0, to: null};
    m.counts.forEach(function (row, a) {
      row.forEach(function (c, b) { max = Math.max(max, c); data.push([b, a, c]); });
    });
    return {data: data, max: max, to: m.to};
  }
  var trSelect = document.getElementById('select-transition');
  T.forEach(function (t, i) {
    if (!trSelect) return;
    var d = trData(t, +trSelect.value);
    trCharts.push(heatmap('chart-transition-' + i, t.label + ': expert in L' + trSelect.value + ' (row) then expert in L' + d.to + ' (column)',
      experts(t.experts), experts(t.experts), d.data, d.max, 'next layer', 'layer'));
  });
  if (trSelect) trSelect.addEventListener('change', function () {
    T.forEach(function (t, i) {
      var d = trData(t, +trSelect.value);
      trCharts[i].setOption({title: {text: t.label + ': expert in L' + trSelect.value + ' (row) then expert in L' + d.to + ' (column)'},
        visualMap: {max: d.max > 0 ? d.max : 1}, series: [{data: d.data}]});
    });
  });

  // local routing consistency
  (function () {
    var series = [];
    T.forEach(function (t) {
      var pre = T.length > 1 ? t.label + ' ' : '';
      series.push({name: pre + 'mean over layers', type: 'line', lineStyle: {width: 4}, data: t.windows.map(function (w) {
        var s = 0, n = 0;
        w.meanDistinct.forEach(function (x) { if (x !== null && !isNaN(x)) { s += x; n++; } });
        return [w.window, n ? s / n : null];
      })});
      t.moeLayers.forEach(function (l, li) {
        series.push({name: pre + layerName(l), type: 'line', lineStyle: {width: 1}, symbolSize: 3,
          data: t.windows.map(function (w) { return [w.window, w.meanDistinct[li]]; })});
      });
    });
    chart('chart-windows', {
      tooltip: {trigger: 'axis'}, legend: {top: 0, type: 'scroll'}, grid: {left: 60, right: 30, top: 50, bottom: 40},
      xAxis: {type: 'log', logBase: 2, name: 'window (tokens)', nameLocation: 'middle', nameGap: 25},
      yAxis: {type: 'value', name: 'distinct experts'}, series: series
    });
  })();

  // per-token view
  function renderTokens() {
    var li = +document.getElementById('select-tokens').value;
    D.tokenViews.forEach(function (v, i) {
      var box = document.getElementById('tokens-' + i);
      box.textContent = '';
      var used = {};
      v.texts.forEach(function (text, t) {
        var span = document.createElement('span');
        var sel = v.experts[t][li] || [];
        var w = v.weights[t][li] || [];
        span.textContent = text;
        if (sel.length) {
          span.style.background = color(sel[0]);
          used[sel[0]] = (used[sel[0]] || 0) + 1;
        }
        span.title = 'pos ' + v.positions[t] + ', token ' + v.tokens[t] + '\n' + sel.map(function (e, j) {
          return 'expert ' + e + ': ' + fmt(w[j], 3);
        }).join('\n');
        box.appendChild(span);
      });
      var legend = document.getElementById('tokens-legend-' + i);
      legend.textContent = 'top expert: ';
      Object.keys(used).map(Number).sort(function (a, b) { return used[b] - used[a]; }).forEach(function (e) {
        var s = document.createElement('span');
        s.style.background = color(e);
        s.textContent = e + ' \u00d7' + used[e];
        legend.appendChild(s);
      });
    });
  }
  document.getElementById('select-tokens').addEventListener('change', renderTokens);
  renderTokens();

  // comparison
  if (D.comparison) {
    var c = D.comparison;
    chart('chart-compare', {
      tooltip: {trigger: 'axis'}, legend: {top: 0}, grid: {left: 60, right: 30, top: 40, bottom: 40},
      xAxis: {type: 'category', data: c.layers.map(layerName), name: 'layer'}, yAxis: {type: 'value', min: 0, max: 1},
      series: [{name: 'load Jensen-Shannon divergence (bits)', type: 'bar', data: c.loadJensenShannonBits},
        {name: 'busiest-expert overlap', type: 'line', data: c.topExpertOverlap}]
    });
  }

  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  allCreated = true;
  status();
})();
