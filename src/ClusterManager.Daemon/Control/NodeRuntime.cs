using System.Collections.Concurrent;
using System.Collections.Immutable;
using ClusterManager.Agents;
using ClusterManager.Agents.Execution;
using ClusterManager.Agents.IpAddr;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Systemd;
using ClusterManager.Agents.Vrrp;
using ClusterManager.Api.V1;
using ClusterManager.Daemon.Api;
using ClusterManager.Daemon.Options;
using ClusterManager.Daemon.Raft;
using ClusterManager.Fencing;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace ClusterManager.Daemon.Control;

/// <summary>
/// This node's executor and fencer (pacemaker-execd and pacemaker-fenced): runs the operations the controller
/// sends, keeps recurring monitors going, reports their changed results to the leader (kept and retried until a
/// leader takes them), and keeps the fencer's devices in step with the committed configuration.
/// </summary>
internal sealed partial class NodeRuntime : IHostedService, IAsyncDisposable, ITransientAttributeSink
{
    private readonly ClusterdOptions _options;
    private readonly RaftNode _raft;
    private readonly ForwardingClients _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeRuntime> _logger;
    private readonly ResourceExecutor _executor;
    private readonly ResourceAgentRouter _agents;
    private readonly ConcurrentDictionary<string, AgentReload?> _reloads = new(StringComparer.Ordinal);
    private readonly SystemdAgent? _systemd;
    private readonly Fencer _fencer;
    private readonly ConcurrentDictionary<string, OperationRequest> _recurring = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExecutedOperation> _unreported = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private long _fencingEpoch = -1;
    private bool _helloNeeded = true;

    public NodeRuntime(IOptions<ClusterdOptions> options, RaftNode raft, ForwardingClients clients, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options.Value;
        _raft = raft;
        _clients = clients;
        _time = time;
        _logger = loggers.CreateLogger<NodeRuntime>();
        var resources = _options.Resources;
        var ocf = new OcfScriptAgent(new OcfOptions { OcfRoot = resources.OcfRoot, ResourceTempDirectory = resources.ResourceTempDirectory }, time);
        _systemd = new SystemdAgent(
            string.IsNullOrWhiteSpace(resources.SystemdBusAddress) ? new SystemdOptions() : new SystemdOptions { BusAddress = resources.SystemdBusAddress },
            time);
        var native = new Dictionary<string, IResourceAgent>(StringComparer.Ordinal)
        {
            ["IPaddr2"] = new NativeIpAddr2Agent(time, loggers.CreateLogger<NativeIpAddr2Agent>()),
            ["vrrp"] = new VrrpAgent(new VrrpAgentOptions(), time, loggers.CreateLogger<VrrpAgent>(), this),
        };
        _agents = new ResourceAgentRouter(ocf, _systemd, native, time);
        var router = new FenceDeviceResources(time, _agents);
        _executor = new ResourceExecutor(router, new ResourceExecutorOptions { MaxParallelOperations = resources.MaxParallelOperations },
            time, loggers.CreateLogger<ResourceExecutor>());
        var runner = new ProcessFenceAgentRunner(
            new FenceAgentRunnerOptions { AgentDirectories = [.. resources.FenceAgentDirectories] }, time,
            loggers.CreateLogger<ProcessFenceAgentRunner>());
        _fencer = new Fencer(FencingConfiguration.Empty, runner, new FencerOptions { ConfirmRebootAtOff = resources.ConfirmRebootAtOff }, time, loggers.CreateLogger<Fencer>());
        BootId = Guid.NewGuid().ToString("N");
    }

    /// <summary>This clusterd process's boot id: the leader erases the node's history when it changes.</summary>
    public string BootId { get; private set; }

    /// <summary>
    /// This node's state may differ from its recorded history (it acted alone without quorum): a new boot id makes
    /// the leader erase the history and probe the node afresh.
    /// </summary>
    public void Rejoin()
    {
        BootId = Guid.NewGuid().ToString("N");
        Volatile.Write(ref _helloNeeded, true);
    }

    /// <summary>This node's name.</summary>
    public NodeName Name => new(_options.NodeName);

    /// <summary>The leader's handler of reports when this node leads (set by the controller).</summary>
    internal Func<ExecutedOperation, CancellationToken, Task>? LocalReportSink { get; set; }

    /// <summary>The leader's handler of "hello" (boot id) when this node leads (set by the controller).</summary>
    internal Func<NodeName, string, CancellationToken, Task>? LocalHelloSink { get; set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loops.Add(Task.Run(() => PumpResultsAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => FollowConfigurationAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => FlushReportsAsync(_stopping.Token), CancellationToken.None));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync().ConfigureAwait(false);
        if (_systemd is not null)
        {
            await _systemd.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>Runs one operation now and answers with its result (a recurring one keeps running afterwards).</summary>
    public async Task<ExecutedOperation> ExecuteAsync(OperationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ResourceAgentName agent;
        try
        {
            agent = ResourceAgentName.Parse(request.Agent);
        }
        catch (FormatException e)
        {
            // An agent this node cannot run is the operation's result (not installed), not a broken call.
            return new ExecutedOperation(Name, request, 0, (int)OcfExitCode.NotInstalled, (int)ExecStatus.NotInstalled, e.Message, _time.GetUtcNow(), TimeSpan.Zero, "");
        }

        // Digests of the parameters a reload cannot apply go with every one-off operation but a stop, as Pacemaker's
        // controller records them (append_restart_list); a reload runs the action the agent has for it.
        var reload = request.Interval == TimeSpan.Zero && request.Action != Agents.AgentActions.Stop && agent.Class == ResourceAgentName.OcfClass
            ? await ReloadOfAsync(agent, cancellationToken).ConfigureAwait(false)
            : null;
        var action = request.Action == Agents.AgentActions.ReloadAgent ? reload?.Action ?? Agents.AgentActions.ReloadAgent : request.Action;
        var agentRequest = new AgentRequest(new ResourceId(request.Resource), agent, action,
            request.Interval, request.Timeout, request.Parameters, request.Meta);
        if (request.Interval > TimeSpan.Zero)
        {
            _recurring[agentRequest.OperationKey] = request;
        }
        else if (request.Action == Agents.AgentActions.Stop)
        {
            foreach (var key in _recurring.Keys.Where(k => k.StartsWith(request.Resource + "_", StringComparison.Ordinal)).ToList())
            {
                _recurring.TryRemove(key, out _);
            }
        }

        var result = await _executor.ExecuteAsync(agentRequest, cancellationToken).ConfigureAwait(false);
        var executed = ToExecuted(request, result);
        if (reload is null)
        {
            return executed;
        }

        var (forceRestart, restartDigest) = Model.Status.ParameterDigest.Restart(reload.RestartParameters, request.Parameters);
        return executed with { ForceRestart = forceRestart, RestartDigest = restartDigest };
    }

    /// <summary>
    /// How <paramref name="agent"/> reloads, from its meta-data (asked once per agent; an agent that gives none, e.g.
    /// one not installed yet, is taken as one that cannot reload and asked again next time).
    /// </summary>
    private async Task<AgentReload?> ReloadOfAsync(ResourceAgentName agent, CancellationToken cancellationToken)
    {
        var key = agent.ToString();
        if (_reloads.TryGetValue(key, out var known))
        {
            return known;
        }

        AgentMetadata? metadata;
        try
        {
            metadata = await _agents.GetMetadataAsync(agent, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            // Unusable meta-data stays unusable: remembered, so the warning is logged once.
            LogBadMetadata(agent.ToString(), e.Message);
            _reloads[key] = null;
            return null;
        }

        if (metadata is null)
        {
            return null;
        }

        var reload = metadata.Reload;
        _reloads[key] = reload;
        return reload;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meta-data of {Agent} is not usable ({Problem}): its resources are restarted, not reloaded, when their parameters change")]
    private partial void LogBadMetadata(string agent, string problem);

    /// <summary>
    /// An agent's transient attribute of this node (the VRRP master flag): sent to the leader on the same path as
    /// changed recurring results, so it is kept, retried and the newest value wins.
    /// </summary>
    public void SetTransientAttribute(string name, string? value) =>
        _unreported[OperationRecords.TransientAttributeAction + ":" + name] = OperationRecords.AttributeReport(Name, name, value, _time.GetUtcNow());

    /// <summary>Stops a recurring operation (the resource moved, or the monitor was removed).</summary>
    public async Task<bool> CancelRecurringAsync(string resource, string action, TimeSpan interval, CancellationToken cancellationToken)
    {
        _recurring.TryRemove($"{resource}_{action}_{(long)interval.TotalMilliseconds}", out _);
        return await _executor.CancelRecurringAsync(new ResourceId(resource), action, interval, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The recurring operations this node runs now.</summary>
    public IReadOnlyCollection<OperationRequest> RecurringOperations => [.. _recurring.Values];

    /// <summary>Fences <paramref name="target"/> with this node's fencer (devices from the committed configuration).</summary>
    public Task<FenceResult> FenceAsync(NodeName target, FenceAction action, CancellationToken cancellationToken)
    {
        RefreshFencing();
        return _fencer.FenceAsync(target, action, cancellationToken);
    }

    private ExecutedOperation ToExecuted(OperationRequest request, Agents.Execution.OperationResult result)
    {
        var r = result.Result;
        var output = (r.Output + r.ErrorOutput).Trim();
        return new ExecutedOperation(Name, request, result.CallId, (int)r.Rc, (int)r.Status, r.ExitReason, r.StartedAt, r.Duration,
            output.Length > 2000 ? output[..2000] : output);
    }

    private async Task PumpResultsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var result in _executor.Results.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!result.Request.IsRecurring || !_recurring.TryGetValue(result.Request.OperationKey, out var request))
                {
                    continue;
                }

                _unreported[request.OperationKey] = ToExecuted(request, result);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// Sends changed recurring results (and once, this process's boot id) to the leader; what could not be sent
    /// stays and is retried, the newest result per operation winning.
    /// </summary>
    private async Task FlushReportsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
                if (Volatile.Read(ref _helloNeeded) && await SendHelloAsync(cancellationToken).ConfigureAwait(false))
                {
                    Volatile.Write(ref _helloNeeded, false);
                }

                foreach (var (key, op) in _unreported.ToArray())
                {
                    if (await SendReportAsync(op, cancellationToken).ConfigureAwait(false))
                    {
                        _unreported.TryRemove(new KeyValuePair<string, ExecutedOperation>(key, op));
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Leadership moved while reporting (or the leader's write failed): kept, retried on the next round.
                LogReportFailed("the local controller", e.Message);
            }
        }
    }

    private async Task<bool> SendHelloAsync(CancellationToken cancellationToken)
    {
        if (_raft.IsLeader && LocalHelloSink is { } local)
        {
            await local(Name, BootId, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await SendToLeaderAsync(
            client => client.ReportAsync(new ReportRequest { Node = Name.Value, BootId = BootId }, cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> SendReportAsync(ExecutedOperation op, CancellationToken cancellationToken)
    {
        if (_raft.IsLeader && LocalReportSink is { } local)
        {
            await local(op, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await SendToLeaderAsync(
            client => client.ReportAsync(new ReportRequest { Node = Name.Value, BootId = BootId, Result = NodeProto.ToProto(op) }, cancellationToken: cancellationToken).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> SendToLeaderAsync(Func<NodeService.NodeServiceClient, Task> call, CancellationToken cancellationToken)
    {
        if (_raft.IsLeader || _raft.Leader is not { } leader || _raft.ApiEndPointOf(leader) is not { } api)
        {
            return false;
        }

        try
        {
            await call(_clients.NodeFor(api)).WaitAsync(TimeSpan.FromSeconds(5), _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RpcException or TimeoutException or HttpRequestException)
        {
            LogReportFailed(api, e.Message);
            return false;
        }
    }

    private async Task FollowConfigurationAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var kind in _raft.Events.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (kind == StateEventKind.Store)
                {
                    RefreshFencing();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void RefreshFencing()
    {
        var state = _raft.State;
        if (Interlocked.Exchange(ref _fencingEpoch, state.Epoch) == state.Epoch)
        {
            return;
        }

        try
        {
            _fencer.Configure(FencingConfiguration.FromCluster(state.Configuration));
        }
        catch (FormatException e)
        {
            LogFencingConfigurationInvalid(e.Message);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Report to the leader at {Api} failed (kept for a retry): {Reason}")]
    private partial void LogReportFailed(string api, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "The fencing configuration is not usable, the fencer keeps the previous one: {Reason}")]
    private partial void LogFencingConfigurationInvalid(string reason);
}

/// <summary>Maps between node.proto messages and the controller's records (the only place they meet).</summary>
internal static class NodeProto
{
    public static ExecuteRequest ToProto(OperationRequest r)
    {
        var m = new ExecuteRequest
        {
            Resource = r.Resource,
            HistoryId = r.HistoryId,
            Agent = r.Agent,
            Action = r.Action,
            IntervalMs = (long)r.Interval.TotalMilliseconds,
            TimeoutMs = (long)r.Timeout.TotalMilliseconds,
            ExpectedRc = r.ExpectedRc,
            Digest = r.Digest,
            TransitionKey = r.TransitionKey,
        };
        m.Parameters.Add(r.Parameters);
        m.Meta.Add(r.Meta);
        return m;
    }

    public static OperationRequest FromProto(ExecuteRequest m)
    {
        if (string.IsNullOrWhiteSpace(m.Resource) || string.IsNullOrWhiteSpace(m.Agent) || string.IsNullOrWhiteSpace(m.Action))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an operation needs a resource, an agent and an action"));
        }

        if (m.TimeoutMs <= 0 || m.IntervalMs < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"operation {m.Resource} {m.Action}: timeout must be positive and interval not negative"));
        }

        return new OperationRequest(m.Resource, string.IsNullOrEmpty(m.HistoryId) ? m.Resource : m.HistoryId, m.Agent, m.Action,
            TimeSpan.FromMilliseconds(m.IntervalMs), TimeSpan.FromMilliseconds(m.TimeoutMs),
            m.Parameters.ToImmutableSortedDictionary(StringComparer.Ordinal), m.Meta.ToImmutableSortedDictionary(StringComparer.Ordinal),
            m.ExpectedRc, m.Digest, m.TransitionKey);
    }

    public static ClusterManager.Api.V1.OperationResult ToProto(ExecutedOperation op) => new()
    {
        Node = op.Node.Value,
        Request = ToProto(op.Request),
        CallId = op.CallId,
        Rc = op.Rc,
        ExecStatus = op.ExecStatus,
        ExitReason = op.ExitReason ?? "",
        StartedUnixMs = op.StartedAt.ToUnixTimeMilliseconds(),
        DurationMs = (long)op.Duration.TotalMilliseconds,
        Output = op.Output,
        ForceRestart = op.ForceRestart ?? "",
        RestartDigest = op.RestartDigest ?? "",
    };

    public static ExecutedOperation FromProto(ClusterManager.Api.V1.OperationResult m) =>
        new(new NodeName(m.Node), FromProto(m.Request), m.CallId, m.Rc, m.ExecStatus, string.IsNullOrEmpty(m.ExitReason) ? null : m.ExitReason,
            DateTimeOffset.FromUnixTimeMilliseconds(m.StartedUnixMs), TimeSpan.FromMilliseconds(m.DurationMs), m.Output)
        {
            // The restart digest says the agent can reload; the list may be empty (every parameter reloadable).
            ForceRestart = string.IsNullOrEmpty(m.RestartDigest) ? null : m.ForceRestart,
            RestartDigest = string.IsNullOrEmpty(m.RestartDigest) ? null : m.RestartDigest,
        };
}
