// Draws report.html's charts from the embedded JSON with the inlined uPlot. Runs offline.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('fluxbench-data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bf8700', '#1b7c83', '#e16f24', '#6e7781'];
  var faultFill = 'rgba(207, 34, 46, 0.10)';
  var faultEdge = 'rgba(207, 34, 46, 0.45)';

  function round(v, digits) {
    var f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
  function formatBytes(v) {
    if (v == null) return '';
    var units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
    var i = 0;
    var x = Math.abs(v);
    while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
    return (v < 0 ? '-' : '') + round(x, 1) + units[i];
  }
  function formatSeconds(v) {
    if (v == null) return '';
    if (v === 0) return '0s';
    var a = Math.abs(v);
    var sign = v < 0 ? '-' : '';
    if (a < 1) return sign + round(a * 1000, 0) + 'ms';
    if (a < 60) return sign + round(a, 1) + 's';
    if (a < 3600) return sign + Math.floor(a / 60) + 'm' + (Math.round(a % 60) ? Math.round(a % 60) + 's' : '');
    return sign + Math.floor(a / 3600) + 'h' + (Math.floor((a % 3600) / 60) ? Math.floor((a % 3600) / 60) + 'm' : '');
  }
  function formatValue(unit, v) {
    if (v == null) return '';
    if (unit === 'bytes') return formatBytes(v);
    if (unit === 'seconds') return formatSeconds(v);
    if (unit === 'cores') return String(round(v, 3));
    return String(round(v, 2));
  }

  // Fault bands under the series of every time chart: one shaded rectangle per fault.
  function faultBandsPlugin(faults) {
    return {
      hooks: {
        drawClear: [
          function (u) {
            var ctx = u.ctx;
            var box = u.bbox;
            ctx.save();
            for (var i = 0; i < faults.length; i++) {
              var f = faults[i];
              var x0 = Math.max(box.left, u.valToPos(f.start, 'x', true));
              var x1 = Math.min(box.left + box.width, u.valToPos(f.end, 'x', true));
              if (!(x1 > x0)) x1 = x0 + Math.max(1, devicePixelRatio);
              if (x0 > box.left + box.width || x1 < box.left) continue;
              ctx.fillStyle = faultFill;
              ctx.fillRect(x0, box.top, x1 - x0, box.height);
              ctx.fillStyle = faultEdge;
              ctx.fillRect(x0, box.top, Math.max(1, devicePixelRatio), box.height);
              ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
              ctx.fillText(f.label, x0 + 3 * devicePixelRatio, box.top + 12 * devicePixelRatio);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function draw(spec, el) {
    var width = Math.max(320, el.clientWidth - 16);
    var series = [{ label: spec.xKind === 'time' ? 'time' : 'x', value: function (u, v) { return v == null ? '' : spec.xKind === 'time' ? '+' + formatSeconds(v) : String(v); } }];
    spec.series.forEach(function (s, i) {
      var color = palette[i % palette.length];
      var opts = {
        label: s.label,
        stroke: color,
        width: 1.5,
        spanGaps: true,
        value: function (u, v) { return formatValue(spec.unit, v); },
      };
      if (spec.style === 'bars') {
        opts.fill = color;
        opts.paths = uPlot.paths.bars({ size: [spec.barWidth || 0.8, 80], align: 0 });
        opts.points = { show: false };
        opts.spanGaps = false;
      }
      series.push(opts);
    });
    var xAxis = { values: function (u, splits) { return splits.map(function (v) { return spec.xKind === 'time' ? '+' + formatSeconds(v) : String(v); }); } };
    // Round offsets (10s, 1m, 5m, ...) rather than uPlot's decimal steps on a numeric scale.
    if (spec.xKind === 'time') xAxis.incrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
    if (spec.ticks) {
      xAxis.splits = function () { return spec.ticks.map(function (t) { return t.at; }); };
      xAxis.values = function () { return spec.ticks.map(function (t) { return t.label; }); };
    }
    var xScale = { time: false };
    if (spec.ticks) xScale.range = function () { return [0, spec.ticks.length]; };
    else if (spec.style === 'bars' && spec.x.length > 0) {
      var gap = spec.x.length > 1 ? spec.x[1] - spec.x[0] : 1;
      xScale.range = function () { return [spec.x[0] - gap, spec.x[spec.x.length - 1] + gap]; };
    } else if (spec.xKind === 'time' && spec.x.length === 1) {
      xScale.range = function () { return [spec.x[0] - 1, spec.x[0] + 1]; };
    }
    var opts = {
      width: width,
      height: 240,
      scales: { x: xScale, y: { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.1 : 1]; } } },
      axes: [xAxis, { size: 64, values: function (u, splits) { return splits.map(function (v) { return formatValue(spec.unit, v); }); } }],
      series: series,
      legend: { show: true },
      cursor: { drag: { x: true, y: false } },
      plugins: spec.xKind === 'time' && data.faults.length > 0 ? [faultBandsPlugin(data.faults)] : [],
    };
    var aligned = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    return new uPlot(opts, aligned, el);
  }

  // Drawn charts by id, for whoever inspects the page (tests read fault band positions).
  window.fluxbenchCharts = {};
  document.querySelectorAll('.chart[data-chart]').forEach(function (el) {
    var id = el.getAttribute('data-chart');
    var spec = data.charts.filter(function (c) { return c.id === id; })[0];
    var host = el.querySelector('.plot');
    if (!spec || spec.x.length === 0 || spec.series.length === 0) {
      host.innerHTML = '';
      var p = document.createElement('p');
      p.className = 'no-data';
      p.textContent = 'no data';
      host.appendChild(p);
      el.setAttribute('data-rendered', 'no-data');
      return;
    }
    try {
      window.fluxbenchCharts[id] = draw(spec, host);
      el.setAttribute('data-rendered', 'chart');
    } catch (err) {
      el.setAttribute('data-rendered', 'error');
      var e = document.createElement('p');
      e.className = 'no-data';
      e.textContent = 'chart failed: ' + err.message;
      host.appendChild(e);
      throw err;
    }
  });
})();
