using System.Globalization;
using System.Text;

namespace ClusterManager.Lab.Benchmarks;

/// <summary>The failure injected on the node that holds the virtual IP.</summary>
internal enum Scenario
{
    /// <summary><c>lab kill NODE</c>: power loss (SIGKILL of the container, its interface goes down).</summary>
    Kill,

    /// <summary><c>lab partition NODE</c>: the node's veth off the bridge; healed once another node serves.</summary>
    Partition,

    /// <summary><c>lab fail-service NODE</c>: kill -9 of haproxy on the node.</summary>
    FailService,
}

internal static class ScenarioNames
{
    public static string Name(this Scenario scenario) => scenario switch
    {
        Scenario.Kill => "kill",
        Scenario.Partition => "partition",
        _ => "fail-service",
    };

    public static Scenario? Parse(string text) => Enum.GetValues<Scenario>().Cast<Scenario?>().FirstOrDefault(s => s!.Value.Name() == text);

    public static string Name(this Stack stack) => stack == Stack.Clusterd ? "clusterd" : "keepalived";
}

/// <summary>How a run ended.</summary>
internal enum Outcome
{
    /// <summary>Another node served through the virtual IP (fail-service: it was served again).</summary>
    Ok,

    /// <summary>Not served (by another node) within the run's time limit.</summary>
    Timeout,

    /// <summary>fail-service on keepalived: the virtual IP never moved (no track script), haproxy came back by systemd's restart.</summary>
    NotDetected,
}

/// <summary>
/// One measured run; times in seconds from the failure's logged time (lab's events.log), null when it did not happen.
/// </summary>
/// <param name="Run">The run's number (1 ... N) in its stack and scenario.</param>
/// <param name="At">The failure's logged time (lab's events.log): every figure counts from it.</param>
/// <param name="Holder">The node that held the virtual IP and had the failure.</param>
/// <param name="NewHolder">The node whose haproxy served through the virtual IP at the end point.</param>
/// <param name="Outcome">How the run ended.</param>
/// <param name="Arp">Until the virtual IP answered ARP from another node's MAC.</param>
/// <param name="Served">Until HTTP through the virtual IP was served by another node (fail-service: served again, by any node).</param>
/// <param name="FenceOff">Until the old holder's BMC powered it off (clusterd with fencing).</param>
/// <param name="VipAdded">Until the new holder was seen with the address (the 20 ms checker's sweep).</param>
/// <param name="DualSeconds">Time the virtual IP was on two nodes (20 ms sweeps), 0 if never.</param>
/// <param name="DualFrom">When it was first on two nodes.</param>
/// <param name="DualUntilAfterHeal">partition: the last sweep with two holders, in seconds after the heal.</param>
/// <param name="LeaderChanged">clusterd: a controller became active after the failure (the holder was the Raft leader).</param>
/// <param name="Load">The 1-minute load average when the run began.</param>
/// <param name="Note">What else is worth knowing about the run.</param>
internal sealed record RunRecord(
    int Run,
    DateTimeOffset At,
    string Holder,
    string? NewHolder,
    Outcome Outcome,
    double? Arp,
    double? Served,
    double? FenceOff,
    double? VipAdded,
    double DualSeconds,
    double? DualFrom,
    double? DualUntilAfterHeal,
    bool LeaderChanged,
    double Load,
    string Note)
{
    public const string Header = "run\tat\tholder\tnew_holder\toutcome\tarp_s\tserved_s\tfence_off_s\tvip_added_s\tdual_s\tdual_from_s\tdual_until_after_heal_s\tleader_changed\tload1\tnote";

    public string ToLine() => string.Join('\t',
        Run.ToString(CultureInfo.InvariantCulture), At.ToString("O", CultureInfo.InvariantCulture), Holder, NewHolder ?? "-", OutcomeName(Outcome),
        Number(Arp), Number(Served), Number(FenceOff), Number(VipAdded), Number(DualSeconds), Number(DualFrom), Number(DualUntilAfterHeal),
        LeaderChanged ? "yes" : "no", Number(Load), Note.Replace('\t', ' ').Replace('\n', ' '));

    public static RunRecord Parse(string line)
    {
        var f = line.Split('\t');
        return f.Length != 15
            ? throw new FormatException($"a results row has {f.Length} fields, not 15: {line}")
            : new RunRecord(int.Parse(f[0], CultureInfo.InvariantCulture), DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[3] == "-" ? null : f[3],
                f[4] switch { "ok" => Outcome.Ok, "timeout" => Outcome.Timeout, "not-detected" => Outcome.NotDetected, _ => throw new FormatException($"outcome '{f[4]}'") },
                Optional(f[5]), Optional(f[6]), Optional(f[7]), Optional(f[8]), Optional(f[9]) ?? 0, Optional(f[10]), Optional(f[11]), f[12] == "yes", Optional(f[13]) ?? 0, f[14]);
    }

    public static string OutcomeName(Outcome outcome) => outcome switch
    {
        Outcome.Ok => "ok",
        Outcome.Timeout => "timeout",
        _ => "not-detected",
    };

    public static string Number(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static double? Optional(string text) => text == "-" ? null : double.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>The runs of one stack and scenario: <c>DIR/STACK-SCENARIO.tsv</c>, a row appended as each run ends.</summary>
internal static class ResultFile
{
    public static string PathOf(string directory, Stack stack, Scenario scenario) => Path.Combine(directory, $"{stack.Name()}-{scenario.Name()}.tsv");

    public static IReadOnlyList<RunRecord> Read(string directory, Stack stack, Scenario scenario)
    {
        var file = PathOf(directory, stack, scenario);
        return File.Exists(file) ? [.. File.ReadAllLines(file).Skip(1).Where(l => l.Length > 0).Select(RunRecord.Parse)] : [];
    }

    public static void Append(string directory, Stack stack, Scenario scenario, RunRecord record)
    {
        var file = PathOf(directory, stack, scenario);
        var text = new StringBuilder();
        if (!File.Exists(file))
        {
            text.Append(RunRecord.Header).Append('\n');
        }

        text.Append(record.ToLine()).Append('\n');
        File.AppendAllText(file, text.ToString());
    }
}

/// <summary>The lab could not be brought to a state to measure in: the stack's remaining runs are abandoned.</summary>
internal sealed class BenchAbortedException(string message) : Exception(message);
