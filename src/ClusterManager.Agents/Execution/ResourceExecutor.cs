using System.Collections.Concurrent;
using System.Threading.Channels;
using ClusterManager.Model;
using Microsoft.Extensions.Logging;

namespace ClusterManager.Agents.Execution;

/// <summary>
/// The node's executor (Pacemaker's <c>pacemaker-execd</c>): runs operations through an agent, one at a time per
/// resource and up to <see cref="ResourceExecutorOptions.MaxParallelOperations"/> across resources, keeps
/// recurring operations going at their intervals, and publishes every one-shot result and every recurring
/// result whose rc or execution status differs from the previous one on <see cref="Results"/>.
/// </summary>
public sealed partial class ResourceExecutor : IAsyncDisposable
{
    private readonly IResourceAgent _agent;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ResourceExecutor> _logger;
    private readonly SemaphoreSlim _parallel;
    private readonly ConcurrentDictionary<ResourceId, SemaphoreSlim> _perResource = new();
    private readonly ConcurrentDictionary<string, Recurring> _recurring = new(StringComparer.Ordinal);
    private readonly Channel<OperationResult> _results = Channel.CreateUnbounded<OperationResult>();
    private readonly CancellationTokenSource _disposed = new();
    private int _callId;

    public ResourceExecutor(IResourceAgent agent, ResourceExecutorOptions options, TimeProvider timeProvider, ILogger<ResourceExecutor> logger)
    {
        options.Validate();
        _agent = agent;
        _timeProvider = timeProvider;
        _logger = logger;
        _parallel = new SemaphoreSlim(options.MaxParallelOperations, options.MaxParallelOperations);
    }

    /// <summary>Completed operations, in completion order. Completes when the executor is disposed.</summary>
    public ChannelReader<OperationResult> Results => _results.Reader;

    /// <summary>The recurring operations currently scheduled.</summary>
    public IReadOnlyCollection<AgentRequest> RecurringOperations => [.. _recurring.Values.Select(r => r.Request)];

    /// <summary>
    /// Runs <paramref name="request"/> once and returns its result (also published on <see cref="Results"/>).
    /// A request with an interval is then repeated at that interval until cancelled with
    /// <see cref="CancelRecurringAsync"/>, replaced by the same operation, or until the resource is stopped; a stop
    /// cancels the resource's recurring operations before it runs.
    /// </summary>
    public async Task<OperationResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (request.Action == AgentActions.Stop)
        {
            foreach (var key in _recurring.Where(r => r.Value.Request.ResourceId == request.ResourceId).Select(r => r.Key).ToList())
            {
                await CancelAsync(key).ConfigureAwait(false);
            }
        }

        var result = await RunSerialisedAsync(request, cancellationToken).ConfigureAwait(false);
        Publish(result);
        if (request.IsRecurring)
        {
            await CancelAsync(request.OperationKey).ConfigureAwait(false);
            var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            var token = cts.Token;
            var recurring = new Recurring(request, cts)
            {
                Loop = Task.Run(() => RecurLoopAsync(request, result.Result, token), CancellationToken.None),
            };
            _recurring[request.OperationKey] = recurring;
        }

        return result;
    }

    /// <summary>Stops a recurring operation; true if one was scheduled. A run in progress is cancelled.</summary>
    public Task<bool> CancelRecurringAsync(ResourceId resource, string action, TimeSpan interval, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return CancelAsync($"{resource.Value}_{action}_{(long)interval.TotalMilliseconds}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (var key in _recurring.Keys.ToList())
        {
            await CancelAsync(key).ConfigureAwait(false);
        }

        _results.Writer.TryComplete();
        _disposed.Dispose();
    }

    private async Task<bool> CancelAsync(string key)
    {
        if (!_recurring.TryRemove(key, out var recurring))
        {
            return false;
        }

        await recurring.Cancellation.CancelAsync().ConfigureAwait(false);
        try
        {
            await (recurring.Loop ?? Task.CompletedTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        recurring.Cancellation.Dispose();
        return true;
    }

    private async Task RecurLoopAsync(AgentRequest request, AgentResult first, CancellationToken cancellationToken)
    {
        var (lastRc, lastStatus) = (first.Rc, first.Status);
        while (true)
        {
            await Task.Delay(request.Interval, _timeProvider, cancellationToken).ConfigureAwait(false);
            OperationResult result;
            try
            {
                result = await RunSerialisedAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An agent threw (a bug or broken infrastructure): report the monitor as failed rather than
                // silently ending the recurring operation.
                LogAgentThrew(request.ResourceId.Value, request.Action, e);
                result = new OperationResult(request, Interlocked.Increment(ref _callId),
                    AgentResult.Of(OcfExitCode.GenericError, ExecStatus.Error, e.Message, _timeProvider.GetUtcNow(), TimeSpan.Zero));
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (result.Result.Rc != lastRc || result.Result.Status != lastStatus)
            {
                (lastRc, lastStatus) = (result.Result.Rc, result.Result.Status);
                Publish(result);
            }
        }
    }

    private async Task<OperationResult> RunSerialisedAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        var gate = _perResource.GetOrAdd(request.ResourceId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _parallel.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var callId = Interlocked.Increment(ref _callId);
                var result = await _agent.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
                return new OperationResult(request, callId, result);
            }
            finally
            {
                _parallel.Release();
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void Publish(OperationResult operation)
    {
        var r = operation.Result;
        if (r.IsSuccess || (operation.Request.Action == AgentActions.Monitor && r.Status == ExecStatus.Done && r.Rc == OcfExitCode.NotRunning))
        {
            LogCompleted(operation.Request.ResourceId.Value, operation.Request.Action, (long)operation.Request.Interval.TotalMilliseconds,
                (int)r.Rc, (long)r.Duration.TotalMilliseconds);
        }
        else
        {
            LogFailed(operation.Request.ResourceId.Value, operation.Request.Action, (long)operation.Request.Interval.TotalMilliseconds,
                (int)r.Rc, r.Status, r.ExitReason);
        }

        _results.Writer.TryWrite(operation);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Resource} {Action} (interval {IntervalMs} ms) rc={Rc} in {DurationMs} ms")]
    private partial void LogCompleted(string resource, string action, long intervalMs, int rc, long durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} {Action} (interval {IntervalMs} ms) rc={Rc} status={Status}: {Reason}")]
    private partial void LogFailed(string resource, string action, long intervalMs, int rc, ExecStatus status, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} {Action}: the agent threw")]
    private partial void LogAgentThrew(string resource, string action, Exception exception);

    private sealed class Recurring(AgentRequest request, CancellationTokenSource cancellation)
    {
        public AgentRequest Request { get; } = request;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task? Loop { get; init; }
    }
}
