using System.Globalization;
using System.Runtime.InteropServices;
using ClusterManager.Lab.Benchmarks;

// Failover of the seed's stack in the lab (deploy/lab/lab), clusterd against keepalived at its defaults.
// Usage: bash tests/bench.sh failover [--runs N] [--scenario kill|partition|fail-service|all]
//        [--stack clusterd|keepalived|both] [--out DIR] [--fresh] [--report] [--timeout S]
// Every run is appended to DIR/STACK-SCENARIO.tsv as it ends; a later invocation runs only what is missing to reach
// N runs per stack and scenario (resumable), --fresh starts those files anew, --report prints the table only.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"failover: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

Directory.CreateDirectory(options.OutputDirectory);
if (options.Fresh)
{
    foreach (var (stack, scenario) in options.Cells())
    {
        File.Delete(ResultFile.PathOf(options.OutputDirectory, stack, scenario));
    }
}

var exitCode = 0;
if (!options.ReportOnly)
{
    if (Environment.UserName != "root")
    {
        Console.Error.WriteLine("failover: must run as root (the lab creates namespaces and containers)");
        return 2;
    }

    using var stop = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    var lab = LabDriver.FromRepository();
    foreach (var stack in options.Stacks)
    {
        var pending = options.Scenarios.Where(s => ResultFile.Read(options.OutputDirectory, stack, s).Count < options.Runs).ToList();
        if (pending.Count == 0 || stop.IsCancellationRequested)
        {
            continue;
        }

        try
        {
            using var bench = FailoverBench.Start(lab, stack, options, Console.Error);
            foreach (var scenario in pending)
            {
                await bench.RunScenarioAsync(scenario, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("failover: interrupted; the runs so far are kept");
            exitCode = 130;
        }
        catch (BenchAbortedException e)
        {
            Console.Error.WriteLine($"failover: {stack}: {e.Message}");
            exitCode = 1;
        }
    }
}

Console.WriteLine(Report.Render(options, File.ReadAllText("/proc/loadavg").Split(' ')[0]));
return exitCode;

/// <summary>The benchmark's command line.</summary>
internal sealed record BenchOptions(
    int Runs,
    IReadOnlyList<Scenario> Scenarios,
    IReadOnlyList<Stack> Stacks,
    string OutputDirectory,
    bool Fresh,
    bool ReportOnly,
    TimeSpan RunTimeout,
    IReadOnlyList<string> Properties,
    bool Help)
{
    public const string Usage =
        "usage: bash tests/bench.sh failover [--runs N] [--scenario kill|partition|fail-service|all] [--stack clusterd|keepalived|both]\n" +
        "                                    [--out DIR] [--fresh] [--report] [--timeout S]\n" +
        "  --runs N       runs per stack and scenario (default 20); runs already in DIR count (resumable)\n" +
        "  --scenario S   kill (power loss of the VIP's node), partition (its veth off the bridge), fail-service (kill -9 haproxy) or all (default)\n" +
        "  --stack S      clusterd (the seed's stack, fencing on), keepalived (at its defaults) or both (default)\n" +
        "  --out DIR      per-run rows, one STACK-SCENARIO.tsv each, and clusterd's log around every run (default /var/tmp/cmlab-failover)\n" +
        "  --fresh        forget the runs in DIR for the selected stacks and scenarios first\n" +
        "  --report       only print the table of the runs in DIR (no lab)\n" +
        "  --timeout S    a run that has not served again S seconds after the failure is a failed run (default 60)\n" +
        "  --property P   clusterd: hactl property set P (NAME=VALUE) after lab up, for experiments (e.g. stonith-action=off); use another --out\n" +
        "Runs as root; brings the lab up (lab up --exclusive [--keepalived]) and always takes it down (lab down).";

    public IEnumerable<(Stack Stack, Scenario Scenario)> Cells() => Stacks.SelectMany(s => Scenarios.Select(c => (s, c)));

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions(20, Enum.GetValues<Scenario>(), Enum.GetValues<Stack>(), "/var/tmp/cmlab-failover", false, false, TimeSpan.FromSeconds(60), [], false);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs":
                    options = options with { Runs = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : throw new ArgumentException($"--runs: '{args[i]}' is not a positive integer") };
                    break;
                case "--scenario":
                    var scenario = Value();
                    options = options with
                    {
                        Scenarios = scenario == "all" ? Enum.GetValues<Scenario>() : [ScenarioNames.Parse(scenario) ?? throw new ArgumentException($"--scenario: unknown '{scenario}' (kill, partition, fail-service, all)")],
                    };
                    break;
                case "--stack":
                    var stack = Value();
                    options = options with
                    {
                        Stacks = stack switch
                        {
                            "both" => Enum.GetValues<Stack>(),
                            "clusterd" => [Stack.Clusterd],
                            "keepalived" => [Stack.Keepalived],
                            _ => throw new ArgumentException($"--stack: unknown '{stack}' (clusterd, keepalived, both)"),
                        },
                    };
                    break;
                case "--out":
                    options = options with { OutputDirectory = Path.GetFullPath(Value()) };
                    break;
                case "--fresh":
                    options = options with { Fresh = true };
                    break;
                case "--report":
                    options = options with { ReportOnly = true };
                    break;
                case "--timeout":
                    options = options with { RunTimeout = TimeSpan.FromSeconds(int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new ArgumentException($"--timeout: '{args[i]}' is not a positive number of seconds")) };
                    break;
                case "--property":
                    var property = Value();
                    options = options with { Properties = [.. options.Properties, property.Contains('=', StringComparison.Ordinal) ? property : throw new ArgumentException($"--property: '{property}' is not NAME=VALUE")] };
                    break;
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        return options;
    }
}
