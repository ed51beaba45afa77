namespace ClusterManager.Benchmarks.Scheduler;

/// <summary>
/// The five situations of the Pacemaker comparison (docs/benchmarks.md, scheduler-performance reference):
/// a fresh cluster, a settled one, and three membership changes of a settled one.
/// </summary>
public enum Scenario
{
    /// <summary>Fresh cluster: no history anywhere, everything is probed and started.</summary>
    Stopped,

    /// <summary>Everything started, probe results ("not running") on every other node: a steady-state recompute.</summary>
    Running,

    /// <summary>Running, stonith enabled, the last node lost without a clean shutdown: fence it, recover its resources.</summary>
    FailUnclean,

    /// <summary>Running, the last node cleanly offline (expected down): recover its resources elsewhere.</summary>
    FailClean,

    /// <summary>Running on all nodes but the last, which has just joined with no history: probe everything there.</summary>
    Join,
}

public static class ScenarioText
{
    public static readonly IReadOnlyList<Scenario> All =
        [Scenario.Stopped, Scenario.Running, Scenario.FailUnclean, Scenario.FailClean, Scenario.Join];

    public static string ToText(this Scenario scenario) => scenario switch
    {
        Scenario.Stopped => "stopped",
        Scenario.Running => "running",
        Scenario.FailUnclean => "fail-unclean",
        Scenario.FailClean => "fail-clean",
        Scenario.Join => "join",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static bool TryParse(string text, out Scenario scenario)
    {
        foreach (var s in All)
        {
            if (s.ToText() == text)
            {
                scenario = s;
                return true;
            }
        }

        scenario = Scenario.Stopped;
        return false;
    }
}
