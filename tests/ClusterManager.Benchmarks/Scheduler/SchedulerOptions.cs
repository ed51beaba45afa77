using System.Globalization;

namespace ClusterManager.Benchmarks.Scheduler;

public enum CrmSimulateMode
{
    Auto,
    Off,
}

/// <summary>Options of <c>bench scheduler</c>; <see cref="Parse"/> names the offending option on bad input.</summary>
public sealed record SchedulerOptions
{
    public const string Usage = """
        usage: bench scheduler --nodes N --resources R [options]
               bench scheduler --matrix [options]
          --nodes N            nodes (matrix: comma list, default 3,16,64)
          --resources R        primitives (matrix: comma list, default 10,100,1000,5000,10000)
          --constraints C      constraints (default R/2)
          --scenario S         stopped | running | fail-unclean | fail-clean | join | all (default all)
          --seed K             generator seed (default 1)
          --stickiness K       resource-stickiness in rsc_defaults (default 0: none, as in the measured tables)
          --write-cib FILE     keep the generated CIB (with several scenarios: FILE-<scenario>.xml)
          --repeat K           timed Compute runs after the warm-up (up to 5 s or 150 runs); the median is reported (default 5)
          --crm-simulate M     auto (run it when on PATH) | off (default auto)
          --crm-timeout S      seconds per crm_simulate run (default 300)
          --crm-cache FILE     reuse crm_simulate timings of identical runs (JSON lines; recommended with --matrix)
          --compare M          auto (placement check against crm_simulate when N*R <= 1000) | always | off
          --matrix             the grid N x R per scenario, a markdown table and growth exponents
          --dump DIR           write each cell's transition (and one computed with scores) as text to DIR, for diff -r
        """;

    public IReadOnlyList<int> Nodes { get; init; } = [];

    public IReadOnlyList<int> Resources { get; init; } = [];

    public int? Constraints { get; init; }

    public IReadOnlyList<Scenario> Scenarios { get; init; } = ScenarioText.All;

    public int Seed { get; init; } = 1;

    public int Stickiness { get; init; }

    public string? WriteCib { get; init; }

    public int Repeat { get; init; } = 5;

    public CrmSimulateMode CrmSimulate { get; init; } = CrmSimulateMode.Auto;

    public TimeSpan CrmTimeout { get; init; } = TimeSpan.FromSeconds(300);

    public string? CrmCache { get; init; }

    public string Compare { get; init; } = "auto";

    public bool Matrix { get; init; }

    /// <summary>A directory to write each cell's transition to (<see cref="TransitionDump"/>), or null.</summary>
    public string? Dump { get; init; }

    /// <summary>Internal: print the result as one JSON line (used by the parent process).</summary>
    public bool ResultLine { get; init; }

    /// <summary>Parses the arguments after the word <c>scheduler</c>; throws <see cref="ArgumentException"/>.</summary>
    public static SchedulerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SchedulerOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            options = name switch
            {
                "--nodes" => options with { Nodes = IntList(name, Value(), min: 2) },
                "--resources" => options with { Resources = IntList(name, Value(), min: 1) },
                "--constraints" => options with { Constraints = Int(name, Value(), min: 0) },
                "--scenario" => options with { Scenarios = ScenarioList(Value()) },
                "--seed" => options with { Seed = Int(name, Value(), min: int.MinValue) },
                "--stickiness" => options with { Stickiness = Int(name, Value(), min: 0) },
                "--write-cib" => options with { WriteCib = Value() },
                "--repeat" => options with { Repeat = Int(name, Value(), min: 1) },
                "--crm-simulate" => options with { CrmSimulate = Value() switch
                {
                    "auto" => CrmSimulateMode.Auto,
                    "off" => CrmSimulateMode.Off,
                    var v => throw new ArgumentException($"--crm-simulate must be auto or off, not '{v}'"),
                } },
                "--crm-timeout" => options with { CrmTimeout = TimeSpan.FromSeconds(Int(name, Value(), min: 1)) },
                "--crm-cache" => options with { CrmCache = Value() },
                "--compare" => options with { Compare = Value() switch
                {
                    var v when v is "auto" or "always" or "off" => v,
                    var v => throw new ArgumentException($"--compare must be auto, always or off, not '{v}'"),
                } },
                "--matrix" => options with { Matrix = true },
                "--dump" => options with { Dump = Value() },
                "--result-line" => options with { ResultLine = true },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (options.Matrix)
        {
            return options with
            {
                Nodes = options.Nodes.Count > 0 ? options.Nodes : [3, 16, 64],
                Resources = options.Resources.Count > 0 ? options.Resources : [10, 100, 1000, 5000, 10000],
            };
        }

        if (options.Nodes.Count != 1 || options.Resources.Count != 1)
        {
            throw new ArgumentException("give one --nodes N and one --resources R (lists are for --matrix)");
        }

        return options;
    }

    public int ConstraintsFor(int resources) => Constraints ?? resources / 2;

    private static int Int(string name, string text, int min)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new ArgumentException($"{name} needs an integer >= {min}, not '{text}'");
        }

        return value;
    }

    private static int[] IntList(string name, string text, int min) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Int(name, t, min))];

    private static Scenario[] ScenarioList(string text)
    {
        if (text == "all")
        {
            return [.. ScenarioText.All];
        }

        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            ScenarioText.TryParse(t, out var s)
                ? s
                : throw new ArgumentException(
                    $"--scenario must be one of {string.Join(", ", ScenarioText.All.Select(x => x.ToText()))} or all, not '{t}'"))];
    }
}
