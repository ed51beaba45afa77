using System.Globalization;
using System.Text;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>The benchmark's tables (markdown): every run, then per stack and scenario the median, p99, min and max.</summary>
internal static class Report
{
    public static string Render(BenchOptions options, string load)
    {
        var text = new StringBuilder();
        var cells = options.Cells().Select(c => (c.Stack, c.Scenario, Runs: ResultFile.Read(options.OutputDirectory, c.Stack, c.Scenario))).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"## failover: {options.OutputDirectory} (load now {load}; seconds from the failure's logged time)");
        text.AppendLine();
        text.AppendLine("| stack | scenario | run | at (UTC) | holder → new | outcome | ARP other MAC | served | fence off | VIP added | dual holder s | leader changed | load | note |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (stack, scenario, runs) in cells)
        {
            foreach (var r in runs)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {stack.Name()} | {scenario.Name()} | {r.Run} | {r.At:HH:mm:ss} | {r.Holder} → {r.NewHolder ?? "-"} | {RunRecord.OutcomeName(r.Outcome)} | {RunRecord.Number(r.Arp)} | " +
                    $"{RunRecord.Number(r.Served)} | {RunRecord.Number(r.FenceOff)} | {RunRecord.Number(r.VipAdded)} | {(r.DualSeconds > 0 ? RunRecord.Number(r.DualSeconds) : "0")} | " +
                    $"{(r.LeaderChanged ? "yes" : "no")} | {r.Load:0.0} | {r.Note} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| stack | scenario | runs (ok/failed) | until ARP from another node: median / p99 / min / max | until served (by another node): median / p99 / min / max | fence off median | VIP added median | VIP on two nodes |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (stack, scenario, runs) in cells)
        {
            if (runs.Count == 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {stack.Name()} | {scenario.Name()} | 0 | not run | | | | |");
                continue;
            }

            var ok = runs.Where(r => r.Outcome != Outcome.Timeout).ToList();
            var failed = runs.Count - ok.Count;
            var notDetected = runs.Count(r => r.Outcome == Outcome.NotDetected);
            var served = Stats(ok.Select(r => r.Served));
            var arp = Stats(ok.Select(r => r.Arp));
            if (notDetected > 0)
            {
                arp = $"not detected in {notDetected} of {runs.Count} runs (no track script: the VIP stays)";
                served = $"served again (systemd Restart=always, not keepalived): {served}";
            }
            else if (scenario == Scenario.FailService)
            {
                var moved = ok.Count(r => r.NewHolder != r.Holder);
                arp = moved == 0 ? "VIP stayed (restarted in place)" : $"moved in {moved}: {Stats(ok.Where(r => r.NewHolder != r.Holder).Select(r => r.Arp))}";
                served = $"served again: {served}";
            }

            var dual = runs.Where(r => r.DualSeconds > 0).ToList();
            var dualText = dual.Count == 0
                ? $"never ({runs.Count} runs)"
                : $"in {dual.Count} of {runs.Count} runs, median {Median(dual.Select(r => (double?)r.DualSeconds))} s" +
                  (dual.Any(r => r.DualFrom is not null) ? $", from {Median(dual.Select(r => r.DualFrom))} s after the failure" : "") +
                  (dual.Any(r => r.DualUntilAfterHeal is not null) ? $" until {Median(dual.Select(r => r.DualUntilAfterHeal))} s after the heal" : "");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {stack.Name()} | {scenario.Name()} | {runs.Count} ({ok.Count}/{failed}) | {arp} | {served} | {Median(ok.Select(r => r.FenceOff))} | {Median(ok.Select(r => r.VipAdded))} | {dualText} |");
        }

        text.AppendLine();
        text.AppendLine("p99 is nearest-rank (with fewer than 100 runs it is the maximum). A failed run (timeout) counts in runs, not in the figures.");
        return text.ToString();
    }

    private static string Stats(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        return sorted.Count == 0
            ? "-"
            : string.Create(CultureInfo.InvariantCulture, $"{Percentile(sorted, 0.5):0.000} / {Percentile(sorted, 0.99):0.000} / {sorted[0]:0.000} / {sorted[^1]:0.000}");
    }

    private static string Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        return sorted.Count == 0 ? "-" : Percentile(sorted, 0.5).ToString("0.000", CultureInfo.InvariantCulture);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(IReadOnlyList<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
