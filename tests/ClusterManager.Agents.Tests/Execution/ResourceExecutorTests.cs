using System.Collections.Concurrent;
using System.Threading.Channels;
using ClusterManager.Agents.Execution;
using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClusterManager.Agents.Tests.Execution;

public sealed class ResourceExecutorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Test]
    public async Task ExecuteAsync_PublishesRecurringResults_OnlyWhenRcChanges()
    {
        var time = new FakeTimeProvider();
        var agent = new ScriptedAgent(time, [OcfExitCode.Success, OcfExitCode.Success, OcfExitCode.Success, OcfExitCode.NotRunning, OcfExitCode.NotRunning, OcfExitCode.Success]);
        await using var executor = new ResourceExecutor(agent, new ResourceExecutorOptions(), time, NullLogger<ResourceExecutor>.Instance);
        var request = AgentRequest.Create("r1", "ocf:cmtest:X", "monitor", Wait, interval: TimeSpan.FromSeconds(10));

        await executor.ExecuteAsync(request, CancellationToken.None);
        for (var call = 2; call <= 6; call++)
        {
            await agent.AdvanceUntilCalledAsync(time, TimeSpan.FromSeconds(10), call);
        }

        await executor.CancelRecurringAsync(request.ResourceId, "monitor", request.Interval, CancellationToken.None);
        var published = Drain(executor.Results);

        Assert.That(published.Select(p => p.Result.Rc), Is.EqualTo(new[] { OcfExitCode.Success, OcfExitCode.NotRunning, OcfExitCode.Success }));
        Assert.That(published.Select(p => p.CallId), Is.Ordered.Ascending);
        Assert.That(executor.RecurringOperations, Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_PublishesError_WhenAgentThrowsDuringRecurringMonitor()
    {
        var time = new FakeTimeProvider();
        var agent = new ScriptedAgent(time, [OcfExitCode.Success], throwFromCall: 2);
        await using var executor = new ResourceExecutor(agent, new ResourceExecutorOptions(), time, NullLogger<ResourceExecutor>.Instance);
        var request = AgentRequest.Create("r1", "ocf:cmtest:X", "monitor", Wait, interval: TimeSpan.FromSeconds(10));

        await executor.ExecuteAsync(request, CancellationToken.None);
        await agent.AdvanceUntilCalledAsync(time, TimeSpan.FromSeconds(10), 2);
        using var wait = new CancellationTokenSource(Wait);
        await executor.Results.ReadAsync(wait.Token);
        var failed = await executor.Results.ReadAsync(wait.Token);

        Assert.That((failed.Result.Rc, failed.Result.Status, failed.Result.ExitReason),
            Is.EqualTo((OcfExitCode.GenericError, ExecStatus.Error, "agent broke")));
    }

    [Test]
    public async Task ExecuteAsync_CancelsRecurringMonitors_BeforeStop()
    {
        var time = new FakeTimeProvider();
        var agent = new ScriptedAgent(time, [OcfExitCode.Success]);
        await using var executor = new ResourceExecutor(agent, new ResourceExecutorOptions(), time, NullLogger<ResourceExecutor>.Instance);
        var monitor = AgentRequest.Create("r1", "ocf:cmtest:X", "monitor", Wait, interval: TimeSpan.FromSeconds(10));
        await executor.ExecuteAsync(monitor, CancellationToken.None);

        await executor.ExecuteAsync(monitor.WithAction("stop"), CancellationToken.None);

        Assert.That(executor.RecurringOperations, Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_SerialisesOneResource_AndLimitsParallelism()
    {
        var agent = new GatedAgent();
        await using var executor = new ResourceExecutor(agent, new ResourceExecutorOptions { MaxParallelOperations = 2 },
            TimeProvider.System, NullLogger<ResourceExecutor>.Instance);
        var ops = new[] { "a", "a", "b", "c" }
            .Select(r => executor.ExecuteAsync(AgentRequest.Create(r, "ocf:cmtest:X", "start", Wait), CancellationToken.None))
            .ToList();

        // Two may run: "a" (first) and "b"; the second "a" waits for the first, "c" for a free slot.
        Assert.That(await Processes.EventuallyAsync(() => agent.Running.Count == 2), Is.True);
        await Task.Delay(200);
        var firstWave = agent.Running.Keys.Order().ToArray();
        agent.ReleaseAll();
        await Task.WhenAll(ops);

        Assert.That(firstWave, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(agent.MaxConcurrent, Is.EqualTo(2));
        Assert.That(agent.MaxPerResource, Is.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_RunsDebianDummy_AndReportsOperationRecord()
    {
        using var dir = new TempDirectory();
        var ocf = new OcfScriptAgent(new OcfOptions(), TimeProvider.System);
        await using var executor = new ResourceExecutor(ocf, new ResourceExecutorOptions(), TimeProvider.System, NullLogger<ResourceExecutor>.Instance);
        var start = AgentRequest.Create("cmt-d", "ocf:heartbeat:Dummy", "start", Wait, [new("state", dir.File("s"))]);

        var started = await executor.ExecuteAsync(start, CancellationToken.None);
        var probe = await executor.ExecuteAsync(start.WithAction("monitor"), CancellationToken.None);
        await executor.ExecuteAsync(start.WithAction("stop"), CancellationToken.None);
        var record = probe.ToOperationRecord("node1");

        Assert.That((started.Result.Rc, probe.Result.Rc), Is.EqualTo((OcfExitCode.Success, OcfExitCode.Success)));
        Assert.That((record.OperationKey, record.Operation, record.CallId, record.RcCode, record.ExecStatus, record.OnNode),
            Is.EqualTo(("cmt-d_monitor_0", "monitor", 2, 0, 0, "node1")));
    }

    private static List<OperationResult> Drain(ChannelReader<OperationResult> reader)
    {
        var list = new List<OperationResult>();
        while (reader.TryRead(out var item))
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Answers with the given rc sequence (repeating the last), counting calls.</summary>
    private sealed class ScriptedAgent(TimeProvider time, OcfExitCode[] answers, int throwFromCall = int.MaxValue) : IResourceAgent
    {
        private int _calls;

        public Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            if (n >= throwFromCall)
            {
                throw new InvalidOperationException("agent broke");
            }

            var rc = request.Action == AgentActions.Monitor ? answers[Math.Min(n, answers.Length) - 1] : OcfExitCode.Success;
            return Task.FromResult(AgentResult.Of(rc, ExecStatus.Done, null, time.GetUtcNow(), TimeSpan.Zero));
        }

        // The loop registers its next delay only after a run; an advance made before that is lost, so repeat it.
        public async Task AdvanceUntilCalledAsync(FakeTimeProvider fake, TimeSpan step, int calls)
        {
            for (var attempt = 0; attempt < 300 && Volatile.Read(ref _calls) < calls; attempt++)
            {
                fake.Advance(step);
                await Processes.EventuallyAsync(() => Volatile.Read(ref _calls) >= calls, TimeSpan.FromMilliseconds(100));
            }

            Assert.That(Volatile.Read(ref _calls), Is.GreaterThanOrEqualTo(calls), "the recurring monitor did not run");
        }
    }

    private sealed class GatedAgent : IResourceAgent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _lock = new();
        private int _concurrent;

        public ConcurrentDictionary<string, int> Running { get; } = new();

        public int MaxConcurrent { get; private set; }

        public int MaxPerResource { get; private set; }

        public void ReleaseAll() => _release.TrySetResult();

        public async Task<AgentResult> ExecuteAsync(AgentRequest request, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _concurrent++;
                MaxConcurrent = Math.Max(MaxConcurrent, _concurrent);
                var now = Running.AddOrUpdate(request.ResourceId.Value, 1, (_, v) => v + 1);
                MaxPerResource = Math.Max(MaxPerResource, now);
            }

            await _release.Task.WaitAsync(cancellationToken);
            lock (_lock)
            {
                _concurrent--;
                Running.AddOrUpdate(request.ResourceId.Value, 0, (_, v) => v - 1);
                if (Running[request.ResourceId.Value] == 0)
                {
                    Running.TryRemove(request.ResourceId.Value, out _);
                }
            }

            return AgentResult.Of(OcfExitCode.Success, ExecStatus.Done, null, DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        }
    }
}
