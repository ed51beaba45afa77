using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClusterManager.Cib;
using ClusterManager.Policy;

namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// <c>bench scheduler</c>: generates a cluster, writes it as a CIB, times CibReader and PolicyEngine.Compute,
/// and times crm_simulate on the same file when it is installed. One (size, scenario) is measured in-process;
/// several scenarios or the matrix run each cell in a child process, so that peak memory is per cell.
/// </summary>
public static class SchedulerCommand
{
    private const string ResultPrefix = "RESULT ";

    /// <summary>
    /// Above this many nodes × resources "--compare auto" skips the placement check: crm_simulate -S simulates
    /// every action by rewriting its CIB copy, which takes minutes from 3 × 1000 on.
    /// </summary>
    private const long CompareLimit = 1_000;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine(SchedulerOptions.Usage);
            return 0;
        }

        SchedulerOptions options;
        try
        {
            options = SchedulerOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench scheduler: {e.Message}");
            Console.Error.WriteLine(SchedulerOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (options.Matrix)
        {
            return await MatrixRunner.RunAsync(options, cancel.Token);
        }

        if (options.Scenarios.Count == 1)
        {
            var result = await MeasureAsync(options, options.Scenarios[0], cancel.Token);
            if (options.ResultLine)
            {
                Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            }

            return result.EngineStatus == "error" ? 1 : 0;
        }

        var results = new List<CellResult>();
        foreach (var scenario in options.Scenarios)
        {
            var cell = await RunChildAsync(options, options.Nodes[0], options.Resources[0], scenario, options.CrmSimulate,
                Console.WriteLine, cancel.Token);
            if (cell is not null)
            {
                results.Add(cell);
            }

            Console.WriteLine();
        }

        Console.WriteLine(Report.Table(results, withScenario: true));
        return results.Count == options.Scenarios.Count && results.All(r => r.EngineStatus != "error") ? 0 : 1;
    }

    /// <summary>Runs one cell in a child process and returns its result (null when the child failed).</summary>
    public static async Task<CellResult?> RunChildAsync(
        SchedulerOptions options, int nodes, int resources, Scenario scenario, CrmSimulateMode crm, Action<string> output,
        CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SchedulerCommand).Assembly.Location);
        }

        string[] args =
        [
            "scheduler", "--nodes", Num(nodes), "--resources", Num(resources), "--constraints", Num(options.ConstraintsFor(resources)),
            "--scenario", scenario.ToText(), "--seed", Num(options.Seed), "--stickiness", Num(options.Stickiness), "--repeat", Num(options.Repeat),
            "--crm-simulate", crm == CrmSimulateMode.Off ? "off" : "auto",
            "--crm-timeout", Num((int)options.CrmTimeout.TotalSeconds), "--compare", options.Compare, "--result-line",
        ];
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        if (options.CrmCache is not null)
        {
            start.ArgumentList.Add("--crm-cache");
            start.ArgumentList.Add(options.CrmCache);
        }

        if (options.Dump is not null)
        {
            start.ArgumentList.Add("--dump");
            start.ArgumentList.Add(options.Dump);
        }

        if (options.WriteCib is not null)
        {
            start.ArgumentList.Add("--write-cib");
            start.ArgumentList.Add(CibPathFor(options.WriteCib, nodes, resources, scenario, options));
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        CellResult? result = null;
        while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal))
            {
                result = JsonSerializer.Deserialize<CellResult>(line[ResultPrefix.Length..]);
            }
            else
            {
                output(line);
            }
        }

        await process.WaitForExitAsync(cancellationToken);
        if (result is null)
        {
            Console.Error.WriteLine($"bench scheduler: the run for {nodes}×{resources} {scenario.ToText()} failed (exit {process.ExitCode})");
        }

        return result;
    }

    private static string CibPathFor(string path, int nodes, int resources, Scenario scenario, SchedulerOptions options)
    {
        if (options.Scenarios.Count == 1 && !options.Matrix)
        {
            return path;
        }

        var extension = Path.GetExtension(path);
        var stem = extension.Length > 0 ? path[..^extension.Length] : path;
        var suffix = options.Matrix ? $"-{nodes}x{resources}-{scenario.ToText()}" : $"-{scenario.ToText()}";
        return stem + suffix + (extension.Length > 0 ? extension : ".xml");
    }

    /// <summary>Measures one (size, scenario) in this process and prints the report.</summary>
    public static async Task<CellResult> MeasureAsync(SchedulerOptions options, Scenario scenario, CancellationToken cancellationToken)
    {
        var size = new ProblemSize(options.Nodes[0], options.Resources[0], options.ConstraintsFor(options.Resources[0]));
        Console.WriteLine($"scheduler: {size}, scenario {scenario.ToText()}, seed {options.Seed}"
            + (options.Stickiness != 0 ? $", stickiness {options.Stickiness}" : ""));
        var problem = ClusterProblem.Generate(size, scenario, options.Seed, options.Stickiness);
        var path = options.WriteCib ?? Path.Combine(Path.GetTempPath(), $"cmbench-{Environment.ProcessId}-{scenario.ToText()}.xml");
        try
        {
            var clock = Stopwatch.StartNew();
            CibWriter.Write(problem, path);
            var result = new CellResult
            {
                Nodes = size.Nodes,
                Resources = size.Resources,
                Constraints = size.Constraints,
                Scenario = scenario.ToText(),
                WriteSeconds = clock.Elapsed.TotalSeconds,
                CibMb = new FileInfo(path).Length / 1e6,
            };
            problem = null;
            Console.WriteLine(Report.Line("CIB", $"{result.CibMb:F2} MB written in {result.WriteSeconds:F2} s"
                + (options.WriteCib is null ? "" : $" to {path}")));

            var dump = options.Dump is null ? null : Path.Combine(options.Dump, $"{size.Nodes}x{size.Resources}x{size.Constraints}-{scenario.ToText()}");
            (result, var transition) = MeasureEngine(result, path, options.Repeat, dump);
            Console.WriteLine(Report.Line("parse", $"{result.ParseSeconds:F3} s  CibReader.Load ({result.ParseWarnings} warnings)"));
            Console.WriteLine(Report.EngineLine(result));
            Console.WriteLine(Report.Line("memory", $"{result.PeakWorkingSetMb:F0} MB peak working set of the benchmark process"
                + (result.EngineStatus == "ok" ? $", {result.ComputeAllocatedMb:F1} MB allocated per Compute" : "")));
            if (result.Engine is { } e)
            {
                Console.WriteLine(Report.Line("actions", Report.Counts(e, "runnable actions")));
            }

            result = await MeasureCrmAsync(result, transition, path, options, cancellationToken);
            foreach (var line in Report.Comparison(result))
            {
                Console.WriteLine(line);
            }

            return result;
        }
        finally
        {
            if (options.WriteCib is null)
            {
                File.Delete(path);
            }
        }
    }

    private static (CellResult Result, Transition? Transition) MeasureEngine(CellResult result, string path, int repeat, string? dump)
    {
        WarmUpParser();
        FullCollect();
        var clock = Stopwatch.StartNew();
        var document = CibReader.Load(path, ClusterProblem.ExecutionDate);
        result = result with { ParseSeconds = clock.Elapsed.TotalSeconds, ParseWarnings = document.Warnings.Length };
        var snapshot = document.Snapshot;
        document = null;
        try
        {
            clock.Restart();
            Transition? transition = PolicyEngine.Compute(snapshot);
            var first = clock.Elapsed.TotalSeconds;

            // Steady state, as in clusterd, which computes on every change for as long as it runs: the runtime's tiered
            // JIT first runs a method unoptimised, then instrumented (dynamic PGO), and optimises it only after enough
            // calls and a quiet moment. A cell that computes quickly therefore warms up for up to 5 s or 2000 runs
            // (16 x 1000: 0.076 s after 12 warm-up runs, 0.023 s after 118; 3 x 100: 3.6 ms after 150 runs, 0.8 ms after
            // 2000, 1.1 ms with tiered compilation off); a large cell is optimised within its first run through on-stack
            // replacement of its loops. The first Computes of a freshly started clusterd are slower.
            var warmUps = 1;
            for (var spent = first; spent < 5 && warmUps < 2000; warmUps++)
            {
                transition = null;
                FullCollect();
                clock.Restart();
                transition = PolicyEngine.Compute(snapshot);
                spent += clock.Elapsed.TotalSeconds;
            }

            // Keep a run under a minute or so even when the engine is slow.
            var runs = Math.Clamp((int)(30 / Math.Max(first, 1e-6)), 1, repeat);
            var times = new List<double>(runs);
            var allocated = new List<double>(runs);
            for (var k = 0; k < runs; k++)
            {
                transition = null;
                FullCollect();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                clock.Restart();
                transition = PolicyEngine.Compute(snapshot);
                times.Add(clock.Elapsed.TotalSeconds);
                allocated.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / 1e6);
            }

            times.Sort();
            var peak = PeakWorkingSetMb();
            if (dump is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dump))!);
                TransitionDump.Write(transition, dump + ".txt");
                TransitionDump.Write(PolicyEngine.Compute(snapshot, new PolicyOptions(IncludeScores: true)), dump + "-scores.txt");
            }

            return (result with
            {
                EngineStatus = "ok",
                ComputeMedian = Median(times),
                ComputeMin = times[0],
                ComputeMax = times[^1],
                Repeats = runs,
                WarmUps = warmUps,
                ComputeAllocatedMb = Median(allocated),
                PeakWorkingSetMb = peak,
                Engine = Count(transition),
            }, transition);
        }
        catch (NotImplementedException e)
        {
            return (result with { EngineStatus = "not-implemented", EngineError = e.Message, PeakWorkingSetMb = PeakWorkingSetMb() }, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The engine is under construction: report its failure as this cell's result and go on.
            return (result with
            {
                EngineStatus = "error",
                EngineError = $"{e.GetType().Name}: {e.Message}",
                PeakWorkingSetMb = PeakWorkingSetMb(),
            }, null);
        }
    }

    private static async Task<CellResult> MeasureCrmAsync(
        CellResult result, Transition? transition, string path, SchedulerOptions options, CancellationToken cancellationToken)
    {
        if (options.CrmSimulate == CrmSimulateMode.Off)
        {
            return result with { CrmStatus = "off" };
        }

        var exe = CrmSimulate.Find();
        if (exe is null)
        {
            return result with { CrmStatus = "absent" };
        }

        var cache = options.CrmCache is null ? null : new CrmCache(options.CrmCache);
        var key = cache is null ? "" : CrmCache.Key(CrmCache.Version(exe), result, options.Seed, options.Stickiness, options.CrmTimeout);
        var run = cache?.Find(key);
        if (run is not null)
        {
            Console.WriteLine(Report.Line("crm_simulate", $"timing reused from {options.CrmCache}"));
        }
        else
        {
            run = await CrmSimulate.TimeAsync(exe, path, options.CrmTimeout, cancellationToken);
            if (run.Status is "ok" or "timeout")
            {
                cache?.Add(key, run);
            }
        }

        result = result with
        {
            CrmStatus = run.Status,
            CrmError = run.Error,
            CrmWall = run.WallSeconds,
            CrmCpu = run.CpuSeconds,
            CrmPeakRssMb = run.PeakRssMb,
            Crm = run.Counts,
        };
        var compare = options.Compare == "always"
            || (options.Compare == "auto" && (long)result.Nodes * result.Resources <= CompareLimit);
        if (!compare || run.Status != "ok" || result.EngineStatus != "ok" || transition is null)
        {
            return result;
        }

        var tool = PlacementComparison.FindPlacementTool();
        if (tool is null)
        {
            return result with { PlacementError = "tests/conformance/tools/placement_of.py not found" };
        }

        var (output, error) = await CrmSimulate.SimulateAsync(exe, path, options.CrmTimeout, cancellationToken);
        if (output is null)
        {
            return result with { PlacementError = error };
        }

        try
        {
            var reference = await PlacementComparison.ReferenceRowsAsync(tool, output, cancellationToken);
            var agreement = PlacementComparison.Compare(PlacementComparison.Rows(transition.Projected), reference);
            return result with { Placement = agreement };
        }
        catch (InvalidOperationException e)
        {
            return result with { PlacementError = e.Message };
        }
    }

    /// <summary>JIT-compiles the reader on a small CIB of every scenario, so the timed parse measures reading.</summary>
    private static void WarmUpParser()
    {
        foreach (var scenario in ScenarioText.All)
        {
            using var buffer = new MemoryStream();
            CibWriter.Write(ClusterProblem.Generate(new ProblemSize(3, 20, 10), scenario, seed: 7), buffer);
            _ = CibReader.Parse(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), ClusterProblem.ExecutionDate);
        }
    }

    private static ActionCounts Count(Transition transition)
    {
        int total = 0, probes = 0, starts = 0, stops = 0, fences = 0;
        foreach (var a in transition.Actions)
        {
            if (!a.Runnable)
            {
                continue;
            }

            total++;
            switch (a.Kind)
            {
                case ActionKind.Probe:
                    probes++;
                    break;
                case ActionKind.Start:
                    starts++;
                    break;
                case ActionKind.Stop:
                    stops++;
                    break;
                case ActionKind.Fence:
                    fences++;
                    break;
                default:
                    break;
            }
        }

        return new ActionCounts(total, probes, starts, stops, fences);
    }

    private static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static double PeakWorkingSetMb()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64 / 1e6;
    }

    private static double Median(List<double> sorted)
    {
        var s = sorted.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
