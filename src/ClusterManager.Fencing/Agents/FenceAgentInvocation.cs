using System.Collections.Immutable;

namespace ClusterManager.Fencing.Agents;

/// <summary>One run of a fence agent: which agent, which action (for logs; it is also in the arguments), the stdin
/// arguments and the time the run may take before the agent's whole process tree is killed.</summary>
public sealed record FenceAgentInvocation(
    string Agent,
    string Action,
    ImmutableArray<KeyValuePair<string, string>> Arguments,
    TimeSpan Timeout);

/// <summary>How a run of an agent ended.</summary>
public enum AgentRunOutcome
{
    /// <summary>The agent exited; see <see cref="AgentRunResult.ExitCode"/>.</summary>
    Exited,

    /// <summary>The timeout expired; the process tree was killed.</summary>
    TimedOut,

    /// <summary>No executable of that name in the agent directories, or it could not be started.</summary>
    NotFound,
}

/// <summary>
/// The result of running an agent. By the standard, exit code 0 is success; for status/monitor 2 means off;
/// every other code is a failure whose reason is in <see cref="Stderr"/>. Stderr is log text, not a failure.
/// </summary>
public sealed record AgentRunResult(
    string Agent,
    string Action,
    AgentRunOutcome Outcome,
    int? ExitCode,
    string Stdout,
    string Stderr,
    TimeSpan Duration)
{
    public bool Succeeded => Outcome == AgentRunOutcome.Exited && ExitCode == 0;

    /// <summary>A one-line description for logs and results: the outcome and the last line of stderr.</summary>
    public string Describe()
    {
        var reason = LastLine(Stderr) ?? LastLine(Stdout);
        var head = Outcome switch
        {
            AgentRunOutcome.Exited => $"{Agent} {Action}: exit {ExitCode}",
            AgentRunOutcome.TimedOut => $"{Agent} {Action}: timed out after {Duration.TotalSeconds:0.###} s, process tree killed",
            _ => $"{Agent} {Action}: not run",
        };
        return reason is null ? head : $"{head} ({reason})";
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => !l.Contains("DeprecationWarning", StringComparison.Ordinal) && !l.StartsWith("import ", StringComparison.Ordinal));
}

/// <summary>Runs fence agents by the fence-agent standard (a seam so the fencer can be tested without processes).</summary>
public interface IFenceAgentRunner
{
    /// <summary>Runs one agent action. Timeouts and failures are results; cancellation kills the agent and throws.</summary>
    Task<AgentRunResult> RunAsync(FenceAgentInvocation invocation, CancellationToken cancellationToken);
}
