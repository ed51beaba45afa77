using ClusterManager.Agents.Execution;

namespace ClusterManager.Agents.Ocf;

/// <summary>
/// Runs OCF agent executables (<c>{OCF_ROOT}/resource.d/PROVIDER/TYPE ACTION</c>) the way Pacemaker's executor
/// does: Pacemaker's environment, the timeout enforced by killing the agent's whole process group, exit codes
/// taken as OCF codes (anything outside OCF's range becomes a generic error), the exit reason from stderr.
/// </summary>
public sealed class OcfScriptAgent : IResourceAgent
{
    private readonly OcfOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly AgentProcessRunner _runner;

    public OcfScriptAgent(OcfOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        _runner = new AgentProcessRunner(timeProvider, options.WorkDirectory);
    }

    /// <summary>The path of the agent's executable (which may not exist).</summary>
    public string PathOf(ResourceAgentName agent) =>
        Path.Combine(_options.OcfRoot, "resource.d", agent.Provider ?? string.Empty, agent.Type);

    /// <summary>True when the agent's executable exists.</summary>
    public bool IsInstalled(ResourceAgentName agent) => agent.Provider is not null && File.Exists(PathOf(agent));

    public async Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        if (request.Agent.Class != ResourceAgentName.OcfClass || request.Agent.Provider is null)
        {
            throw new ArgumentException($"{request.Agent} is not an OCF agent", nameof(request));
        }

        var started = _timeProvider.GetUtcNow();
        var startTicks = _timeProvider.GetTimestamp();
        var path = PathOf(request.Agent);
        if (!File.Exists(path) || (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0))
        {
            return AgentResult.Of(OcfExitCode.NotInstalled, ExecStatus.NotInstalled,
                $"OCF agent {request.Agent} is not installed ({path} is missing or not executable)", started, TimeSpan.Zero);
        }

        var outcome = await _runner.RunAsync(path, [request.Action], OcfEnvironment.For(request, _options),
            request.Timeout, cancellationToken).ConfigureAwait(false);
        var duration = _timeProvider.GetElapsedTime(startTicks);
        var reason = OcfEnvironment.ParseExitReason(outcome.ErrorOutput);
        if (outcome.TimedOut)
        {
            return new AgentResult(OcfExitCode.GenericError, ExecStatus.Timeout,
                reason ?? $"{request.Action} did not complete within {request.Timeout.TotalMilliseconds:0} ms; killed",
                outcome.Output, outcome.ErrorOutput, started, duration);
        }

        if (outcome.Cancelled)
        {
            return new AgentResult(OcfExitCode.GenericError, ExecStatus.Cancelled, "operation cancelled",
                outcome.Output, outcome.ErrorOutput, started, duration);
        }

        var code = outcome.ExitCode!.Value;
        var (rc, status) = code switch
        {
            >= 0 and <= 9 or 190 or 191 => ((OcfExitCode)code, ExecStatus.Done),
            // A signal killed the agent (128+N, as reported by the runtime): the agent did not complete.
            > 128 and < 160 => (OcfExitCode.GenericError, ExecStatus.Error),
            _ => (OcfExitCode.GenericError, ExecStatus.Done),
        };
        if (status == ExecStatus.Error || (int)rc != code)
        {
            reason ??= code > 128 && code < 160 ? $"agent terminated by signal {code - 128}" : $"agent exited with non-OCF code {code}";
        }

        return new AgentResult(rc, status, reason, outcome.Output, outcome.ErrorOutput, started, duration);
    }
}
