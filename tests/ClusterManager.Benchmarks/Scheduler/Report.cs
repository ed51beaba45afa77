using System.Globalization;
using System.Text;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>Text of the scheduler benchmark: per-cell lines, markdown tables and log-log growth fits.</summary>
public static class Report
{
    public static string Line(string label, string text) => $"  {label,-14} {text}";

    public static string EngineLine(CellResult r) => r.EngineStatus switch
    {
        "ok" => Line("engine", $"{r.ComputeMedian:F4} s  PolicyEngine.Compute, median of {r.Repeats} after {r.WarmUps} warm-up run{(r.WarmUps == 1 ? "" : "s")}"
            + $" (min {r.ComputeMin:F4}, max {r.ComputeMax:F4})"),
        "not-implemented" => Line("engine", $"not implemented yet ({r.EngineError})"),
        _ => Line("engine", $"FAILED: {r.EngineError}"),
    };

    public static string Counts(ActionCounts c, string totalLabel) =>
        $"{c.Probes} probes, {c.Starts} starts, {c.Stops} stops, {c.Fences} fences ({c.Total} {totalLabel})";

    public static IEnumerable<string> Comparison(CellResult r)
    {
        switch (r.CrmStatus)
        {
            case "ok":
                yield return Line("crm_simulate", $"{r.CrmWall:F2} s wall, {r.CrmCpu:F2} s CPU, {r.CrmPeakRssMb:F1} MB peak RSS"
                    + " (crm_simulate -x CIB -R)");
                if (r.Crm is { } c)
                {
                    yield return Line("", Counts(c, "synapses"));
                }

                if (r.CrmError is not null)
                {
                    yield return Line("", $"crm_simulate wrote on stderr: {r.CrmError}");
                }

                break;
            case "timeout":
                yield return Line("crm_simulate", $"> {r.CrmWall:F0} s (timed out and killed), {r.CrmPeakRssMb:F1} MB RSS when killed");
                break;
            case "absent":
                yield return Line("crm_simulate", CrmSimulate.InstallHint);
                break;
            case "skipped":
                yield return Line("crm_simulate", "skipped (a smaller size already took too long)");
                break;
            case "off":
                yield return Line("crm_simulate", "off");
                break;
            default:
                yield return Line("crm_simulate", $"FAILED: {r.CrmError}");
                break;
        }

        if (r.EngineStatus == "ok" && r.CrmStatus is "ok" or "timeout")
        {
            var prefix = r.CrmStatus == "timeout" ? "> " : "";
            yield return Line("speed-up", $"{prefix}{Ratio(r.CrmCpu, r.OursSeconds)} end to end (crm_simulate CPU / our parse + Compute wall),"
                + $" {prefix}{Ratio(r.CrmCpu, r.ComputeMedian)} vs Compute alone");
        }

        if (r.Placement is { } p)
        {
            yield return $"  placement agrees with crm_simulate: {(p.Differences == 0 ? "yes" : "no")} ({p.Differences} differences of {p.Keys} resources)";
            foreach (var example in p.Examples)
            {
                yield return $"    {example}";
            }
        }
        else if (r.PlacementError is not null)
        {
            yield return $"  placement check failed: {r.PlacementError}";
        }

        if (r.Nodes >= 64 && r.Resources >= 10_000 && r.EngineStatus == "ok")
        {
            var target = r.Scenario switch
            {
                "stopped" => 2.0,
                "fail-unclean" or "fail-clean" => 0.5,
                _ => double.NaN,
            };
            if (!double.IsNaN(target))
            {
                yield return Line("target", $"Compute < {target} s: {(r.ComputeMedian < target ? "met" : "NOT met")}; "
                    + $"peak < 1 GB: {(r.PeakWorkingSetMb < 1000 ? "met" : "NOT met")} ({GcMode})");
            }
        }
    }

    /// <summary>
    /// The garbage collector this process runs with: the figures depend on it (docs/benchmarks.md). clusterd runs
    /// workstation GC unless configured for a large cluster (deploy/clusterd-large-cluster.conf), as
    /// <c>bash tests/bench.sh scheduler --gc large</c> does.
    /// </summary>
    public static string GcMode
    {
        get
        {
            var gen0 = Environment.GetEnvironmentVariable("DOTNET_GCgen0size");
            return (System.Runtime.GCSettings.IsServerGC ? "server GC" : "workstation GC")
                + (gen0 is null ? "" : $", gen0 budget {gen0}");
        }
    }

    public static string Ratio(double reference, double ours) =>
        ours <= 0 ? "-" : (reference / ours).ToString(reference / ours >= 100 ? "F0" : "F1", CultureInfo.InvariantCulture) + "×";

    /// <summary>A markdown table, one row per cell.</summary>
    public static string Table(IReadOnlyList<CellResult> results, bool withScenario = false)
    {
        var text = new StringBuilder();
        text.Append(withScenario ? "| scenario " : "");
        text.AppendLine("| N | R | C | CIB MB | parse s | Compute s | alloc MB | peak MB | probes | starts | stops | fences | crm wall s | crm CPU s | crm RSS MB | crm probes/starts/stops/fencing | speed-up | placement |");
        text.Append(withScenario ? "|---" : "");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|");
        foreach (var r in results)
        {
            var ok = r.EngineStatus == "ok";
            var e = r.Engine;
            var crm = r.CrmStatus switch
            {
                "ok" => F(r.CrmWall, 2),
                "timeout" => $"> {r.CrmWall:F0}",
                var s => s,
            };
            var speed = ok && r.CrmStatus == "ok" ? Ratio(r.CrmCpu, r.OursSeconds)
                : ok && r.CrmStatus == "timeout" ? "> " + Ratio(r.CrmCpu, r.OursSeconds)
                : "";
            var placement = r.Placement is { } p ? (p.Differences == 0 ? "agrees" : $"{p.Differences} diff") : "";
            text.Append(withScenario ? $"| {r.Scenario} " : "");
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.Nodes} | {r.Resources} | {r.Constraints} | {F(r.CibMb, 2)} | {F(r.ParseSeconds, 3)} | ");
            text.Append(ok ? $"{F(r.ComputeMedian, 4)} | {F(r.ComputeAllocatedMb, 1)} | " : $"{r.EngineStatus} | | ");
            text.Append(CultureInfo.InvariantCulture, $"{F(r.PeakWorkingSetMb, 0)} | ");
            text.Append(e is null ? "| | | | " : $"{e.Probes} | {e.Starts} | {e.Stops} | {e.Fences} | ");
            text.Append(CultureInfo.InvariantCulture, $"{crm} | {(r.CrmStatus is "ok" or "timeout" ? F(r.CrmCpu, 2) : "")} | ");
            text.Append(r.CrmStatus is "ok" or "timeout" ? F(r.CrmPeakRssMb, 1) : "");
            text.Append(" | ");
            text.Append(r.Crm is { } c ? $"{c.Probes}/{c.Starts}/{c.Stops}/{c.Fences}" : "");
            text.AppendLine(CultureInfo.InvariantCulture, $" | {speed} | {placement} |");
        }

        return text.ToString();
    }

    /// <summary>Growth lines as the reference gives them: time ~ (N·R)^k overall, ~ R^k per N, ~ N^k per R.</summary>
    public static IEnumerable<string> Growth(IReadOnlyList<CellResult> results)
    {
        var engine = results.Where(r => r.EngineStatus == "ok" && r.ComputeMedian >= 1e-3).ToArray();
        var crm = results.Where(r => r.CrmStatus == "ok" && r.CrmWall >= 0.05).ToArray();
        foreach (var (name, cells, time) in new (string, CellResult[], Func<CellResult, double>)[]
        {
            ("engine Compute", engine, r => r.ComputeMedian),
            ("crm_simulate CPU", crm, r => r.CrmCpu),
        })
        {
            if (Fit(cells.Select(r => ((double)r.Nodes * r.Resources, time(r)))) is { } all)
            {
                yield return $"* {name} ~ (N·R)^{all.Slope:F2} ({all.Points} pts, N·R {all.MinX:G}..{all.MaxX:G}, time ≥ 1 ms)";
            }

            foreach (var n in cells.Select(r => r.Nodes).Distinct().Order())
            {
                var pts = cells.Where(r => r.Nodes == n && r.Resources >= 1000).Select(r => ((double)r.Resources, time(r)));
                if (Fit(pts) is { } f)
                {
                    yield return $"* N={n}: {name} ~ R^{f.Slope:F2} ({f.Points} pts, R {f.MinX:G}..{f.MaxX:G})";
                }
            }

            foreach (var rr in cells.Select(r => r.Resources).Distinct().Order())
            {
                if (Fit(cells.Where(r => r.Resources == rr).Select(r => ((double)r.Nodes, time(r)))) is { } f)
                {
                    yield return $"* R={rr}: {name} ~ N^{f.Slope:F2} ({f.Points} pts)";
                }
            }
        }
    }

    /// <summary>Least-squares slope of log y over log x; null with fewer than two distinct x.</summary>
    public static (double Slope, int Points, double MinX, double MaxX)? Fit(IEnumerable<(double X, double Y)> points)
    {
        var p = points.Where(q => q.X > 0 && q.Y > 0).Select(q => (X: Math.Log(q.X), Y: Math.Log(q.Y))).ToArray();
        if (p.Select(q => q.X).Distinct().Count() < 2)
        {
            return null;
        }

        var mx = p.Average(q => q.X);
        var my = p.Average(q => q.Y);
        var slope = p.Sum(q => (q.X - mx) * (q.Y - my)) / p.Sum(q => (q.X - mx) * (q.X - mx));
        return (slope, p.Length, Math.Round(Math.Exp(p.Min(q => q.X))), Math.Round(Math.Exp(p.Max(q => q.X))));
    }

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
