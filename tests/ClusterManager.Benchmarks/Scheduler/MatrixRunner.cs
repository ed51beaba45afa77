namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// <c>bench scheduler --matrix</c>: every scenario over N × R (default {3,16,64} × {10,…,10000}), each cell in its
/// own process; crm_simulate is skipped where a smaller size of the same N and scenario timed out or where
/// extrapolating it (R^2.5 for a cold start, R^1.5 otherwise, about what the reference measured) exceeds the timeout.
/// Prints a markdown table per scenario and the growth exponents.
/// </summary>
public static class MatrixRunner
{
    public static async Task<int> RunAsync(SchedulerOptions options, CancellationToken cancellationToken)
    {
        var crmInstalled = options.CrmSimulate == CrmSimulateMode.Auto && CrmSimulate.Find() is not null;
        if (options.CrmSimulate == CrmSimulateMode.Auto && !crmInstalled)
        {
            Console.WriteLine(CrmSimulate.InstallHint);
        }

        var failed = false;
        var all = new List<(Scenario Scenario, List<CellResult> Cells)>();
        foreach (var scenario in options.Scenarios)
        {
            var cells = new List<CellResult>();
            foreach (var n in options.Nodes)
            {
                (int Resources, CellResult Result)? previous = null;
                foreach (var r in options.Resources.Order())
                {
                    var skip = crmInstalled && previous is { } p && ShouldSkip(p.Resources, p.Result, r, scenario, options.CrmTimeout);
                    var mode = crmInstalled && !skip ? CrmSimulateMode.Auto : CrmSimulateMode.Off;
                    Console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {scenario.ToText()} {n}×{r}" + (skip ? " (crm_simulate skipped)" : ""));
                    var cell = await SchedulerCommand.RunChildAsync(options, n, r, scenario, mode, _ => { }, cancellationToken);
                    if (cell is null)
                    {
                        failed = true;
                        continue;
                    }

                    if (skip)
                    {
                        cell = cell with { CrmStatus = "skipped" };
                    }
                    else if (!crmInstalled && options.CrmSimulate == CrmSimulateMode.Auto)
                    {
                        cell = cell with { CrmStatus = "absent" };
                    }

                    failed |= cell.EngineStatus == "error";
                    Console.WriteLine($"    parse {cell.ParseSeconds:F3} s, Compute {(cell.EngineStatus == "ok" ? $"{cell.ComputeMedian:F4} s" : cell.EngineStatus)}, "
                        + $"peak {cell.PeakWorkingSetMb:F0} MB; crm_simulate {(cell.CrmStatus == "ok" ? $"{cell.CrmWall:F2} s" : cell.CrmStatus)}"
                        + (cell.Placement is { } pl ? $"; placement {(pl.Differences == 0 ? "agrees" : $"{pl.Differences} differences")}" : ""));
                    cells.Add(cell);
                    if (cell.CrmStatus is "ok" or "timeout" or "skipped")
                    {
                        previous = (r, cell);
                    }
                }
            }

            all.Add((scenario, cells));
        }

        Console.WriteLine();
        foreach (var (scenario, cells) in all)
        {
            Console.WriteLine($"### scenario `{scenario.ToText()}`");
            Console.WriteLine();
            Console.Write(Report.Table(cells));
            Console.WriteLine();
            foreach (var line in Report.Growth(cells))
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
        }

        return failed ? 1 : 0;
    }

    private static bool ShouldSkip(int previousResources, CellResult previous, int resources, Scenario scenario, TimeSpan timeout)
    {
        if (previous.CrmStatus is "timeout" or "skipped")
        {
            return true;
        }

        var exponent = scenario == Scenario.Stopped ? 2.5 : 1.5;
        // CPU time, not wall: on a busy machine wall time overstates what crm_simulate needs.
        var seconds = previous.CrmCpu > 0 ? previous.CrmCpu : previous.CrmWall;
        var predicted = seconds * Math.Pow((double)resources / previousResources, exponent);
        return predicted > timeout.TotalSeconds;
    }
}
