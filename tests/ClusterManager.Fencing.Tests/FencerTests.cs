using System.Collections.Concurrent;
using System.Collections.Immutable;
using ClusterManager.Fencing.Agents;
using ClusterManager.Model;
using ClusterManager.Model.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClusterManager.Fencing.Tests;

public class FencerTests
{
    private static readonly NodeName Node1 = new("node1");

    /// <summary>A scripted runner: answers by (device ip parameter, action), advancing the fake clock by each run's duration.</summary>
    private sealed class ScriptedRunner(FakeTimeProvider time) : IFenceAgentRunner
    {
        public ConcurrentQueue<FenceAgentInvocation> Calls { get; } = new();

        public Dictionary<(string Device, string Action), Queue<(int? Exit, TimeSpan Took)>> Answers { get; } = [];

        public string Metadata { get; set; } = """
            <resource-agent name="fence_test"><parameters><parameter name="port"/></parameters>
            <actions><action name="on"/><action name="off"/><action name="reboot"/><action name="status"/><action name="list"/></actions></resource-agent>
            """;

        public string ListOutput { get; set; } = "node1,\nnode2,\n";

        public void Answer(string device, string action, params (int? Exit, TimeSpan Took)[] answers) =>
            Answers[(device, action)] = new Queue<(int?, TimeSpan)>(answers);

        public Task<AgentRunResult> RunAsync(FenceAgentInvocation invocation, CancellationToken cancellationToken)
        {
            Calls.Enqueue(invocation);
            if (invocation.Action == "metadata")
            {
                return Task.FromResult(Result(invocation, 0, Metadata, TimeSpan.Zero));
            }

            var device = invocation.Arguments.FirstOrDefault(a => a.Key == "ip").Value ?? "?";
            if (!Answers.TryGetValue((device, invocation.Action), out var queue) || queue.Count == 0)
            {
                var output = invocation.Action == "list" ? ListOutput : "";
                return Task.FromResult(Result(invocation, 0, output, TimeSpan.FromMilliseconds(10)));
            }

            var (exit, took) = queue.Count > 1 ? queue.Dequeue() : queue.Peek();
            if (took >= invocation.Timeout)
            {
                time.Advance(invocation.Timeout);
                return Task.FromResult(new AgentRunResult(invocation.Agent, invocation.Action, AgentRunOutcome.TimedOut, null, "", "", invocation.Timeout));
            }

            return Task.FromResult(Result(invocation, exit, "", took));
        }

        private AgentRunResult Result(FenceAgentInvocation invocation, int? exit, string stdout, TimeSpan took)
        {
            time.Advance(took);
            return new AgentRunResult(invocation.Agent, invocation.Action, AgentRunOutcome.Exited, exit, stdout,
                exit == 0 ? "" : "ERROR: scripted failure", took);
        }

        public IEnumerable<string> Runs() =>
            Calls.Where(c => c.Action != "metadata").Select(c => $"{c.Arguments.First(a => a.Key == "ip").Value}:{c.Action}");
    }

    private static FenceDevice Device(string id, params (string, string)[] parameters) =>
        FenceDeviceTests.Device(id, [("ip", id), .. parameters]);

    private static (Fencer Fencer, ScriptedRunner Runner, FakeTimeProvider Time) Create(
        ImmutableArray<FenceDevice> devices, ImmutableArray<FencingLevel> levels = default, Random? random = null, bool confirmRebootAtOff = false)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var runner = new ScriptedRunner(time);
        var configuration = FencingConfiguration.Empty with { Devices = devices, Levels = levels.IsDefault ? [] : levels };
        var fencer = new Fencer(configuration, runner, new FencerOptions { RetryPause = TimeSpan.Zero, ConfirmRebootAtOff = confirmRebootAtOff }, time,
            NullLogger<Fencer>.Instance, random);
        return (fencer, runner, time);
    }

    private static FencingLevel Level(int index, params string[] devices) =>
        new($"l{index}", index, Node1, null, null, null, [.. devices.Select(d => new ResourceId(d))]);

    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task FenceAsync_Succeeds_WhenDeviceExitsZero()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"))]);

        var result = await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.ConfirmedBy, Is.EqualTo(new[] { new ResourceId("a") }));
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:reboot" }));
        Assert.That(result.Attempts.Single().Level, Is.Null);
    }

    [Test]
    public async Task FenceAsync_Fails_WhenNoDeviceCanFenceNode()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node2"))]);

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("no fence device can fence node1"));
        Assert.That(runner.Runs(), Is.Empty);
    }

    [Test]
    public async Task FenceAsync_RetriesUpToRetries_ThenTriesNextDevice()
    {
        var (fencer, runner, _) = Create(
            [Device("a", ("pcmk_host_list", "node1"), ("pcmk_off_retries", "3")), Device("b", ("pcmk_host_list", "node1"))]);
        runner.Answer("a", "off", (1, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off", "a:off", "a:off", "b:off" }));
        Assert.That(result.Attempts.Select(a => (a.Device.Value, a.Attempt, a.Succeeded)),
            Is.EqualTo(new[] { ("a", 1, false), ("a", 2, false), ("a", 3, false), ("b", 1, true) }));
    }

    [Test]
    public async Task FenceAsync_OrdersDevicesByPriority_ThenId()
    {
        var high = Device("z", ("pcmk_host_list", "node1")) with { Priority = 10 };
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1")), high]);
        runner.Answer("z", "off", (1, Fast));

        await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(runner.Runs(), Is.EqualTo(new[] { "z:off", "z:off", "a:off" }));
    }

    [Test]
    public async Task FenceAsync_DoesNotRetry_WhenSeventyPercentOfTimeoutUsed()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"), ("pcmk_off_timeout", "10s"))]);
        runner.Answer("a", "off", (1, TimeSpan.FromSeconds(7.5)));

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off" }));
    }

    [Test]
    public async Task FenceAsync_GivesRetryTheRemainingTimeout()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"), ("pcmk_off_timeout", "10s"))]);
        runner.Answer("a", "off", (1, TimeSpan.FromSeconds(4)), (0, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(runner.Calls.Where(c => c.Action == "off").Select(c => c.Timeout),
            Is.EqualTo(new[] { TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(6) }));
    }

    [Test]
    public async Task FenceAsync_DoesNotRetry_WhenAgentTimedOut()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"), ("pcmk_off_timeout", "5s"), ("pcmk_off_retries", "5"))]);
        runner.Answer("a", "off", (0, TimeSpan.FromSeconds(60)));

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Attempts.Single().Outcome, Is.EqualTo(AgentRunOutcome.TimedOut));
        Assert.That(result.Message, Does.Contain("timed out"));
    }

    [Test]
    public async Task FenceAsync_FallsThroughToNextLevel_WhenADeviceOfLevelFails()
    {
        var (fencer, runner, _) = Create([Device("a"), Device("b"), Device("c")], [Level(2, "c"), Level(1, "a", "b")]);
        runner.Answer("b", "off", (1, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.SucceededLevel, Is.EqualTo(2));
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off", "b:off", "b:off", "c:off" }));
        Assert.That(result.Attempts.Select(a => a.Level), Is.EqualTo(new int?[] { 1, 1, 1, 2 }));
    }

    [Test]
    public async Task FenceAsync_Fails_WhenEveryLevelFails()
    {
        var (fencer, runner, _) = Create([Device("a"), Device("b")], [Level(1, "a"), Level(2, "b")]);
        runner.Answer("a", "reboot", (1, Fast));
        runner.Answer("b", "reboot", (1, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("all 2 fencing levels failed").And.Contain("level 1: a:").And.Contain("level 2: b:"));
        Assert.That(result.Attempts, Has.Length.EqualTo(4));
    }

    [Test]
    public async Task FenceAsync_UsesOnlyTopologyDevices_WhenNodeHasTopology()
    {
        var (fencer, runner, _) = Create([Device("a"), Device("other", ("pcmk_host_list", "node1"))], [Level(1, "a")]);

        await fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);

        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off" }));
    }

    [Test]
    public async Task FenceAsync_RebootsMultiDeviceLevel_AsAllOffThenAllOn()
    {
        var (fencer, runner, _) = Create([Device("psu1"), Device("psu2")], [Level(1, "psu1", "psu2")]);

        var result = await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "psu1:off", "psu2:off", "psu1:on", "psu2:on" }));
    }

    [Test]
    public async Task FenceAsync_ConfirmsRebootAtOff_ThenPowersOn_WhenConfirmRebootAtOff()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"))], confirmRebootAtOff: true);
        runner.Answer("a", "on", (1, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);
        var powerOn = SpinWait.SpinUntil(() => runner.Runs().Contains("a:on"), TimeSpan.FromSeconds(30));

        Assert.That(result.Succeeded, Is.True, "a failing power-on does not undo the verified off");
        Assert.That(result.Attempts.Select(a => a.AgentAction), Is.EqualTo(new[] { "off" }), "confirmed at the off");
        Assert.That(powerOn, Is.True, "the node is powered on afterwards");
        Assert.That(runner.Runs().First(), Is.EqualTo("a:off"));
    }

    [Test]
    public async Task FenceAsync_SendsReboot_WhenAgentHasNoOn_EvenWithConfirmRebootAtOff()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"))], confirmRebootAtOff: true);
        runner.Metadata = """
            <resource-agent name="fence_test"><parameters><parameter name="port"/></parameters>
            <actions><action name="off"/><action name="reboot"/><action name="status"/><action name="list"/></actions></resource-agent>
            """;

        await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:reboot" }));
    }

    [Test]
    public async Task FenceAsync_StaysConfirmed_WhenPowerOnPhaseFails()
    {
        var (fencer, runner, _) = Create([Device("psu1"), Device("psu2")], [Level(1, "psu1", "psu2")]);
        runner.Answer("psu1", "on", (1, Fast));

        var result = await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True);
        Assert.That(result.Attempts.Count(a => a.AgentAction == "on" && !a.Succeeded), Is.EqualTo(2));
    }

    [Test]
    public async Task FenceAsync_SendsAliasAction_WhenPcmkRebootActionSet()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"), ("pcmk_reboot_action", "off"))]);

        await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off" }));
    }

    [Test]
    public async Task FenceAsync_SendsOff_WhenAgentHasNoReboot()
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_list", "node1"))]);
        runner.Metadata = """<resource-agent name="fence_test"><actions><action name="off"/><action name="status"/></actions></resource-agent>""";

        await fencer.FenceAsync(Node1, FenceAction.Reboot, CancellationToken.None);

        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:off" }));
    }

    [Test]
    public async Task FenceAsync_WaitsDelayBasePlusRandom_BeforeOff()
    {
        var (fencer, _, time) = Create([Device("a", ("pcmk_host_list", "node1"), ("pcmk_delay_base", "2s"), ("pcmk_delay_max", "5s"))],
            random: new Random(42));

        var fence = fencer.FenceAsync(Node1, FenceAction.Off, CancellationToken.None);
        while (!fence.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        var delay = (await fence).Attempts.Single().Delay;
        Assert.That(delay, Is.InRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)));
        Assert.That(delay, Is.Not.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task QueryDevicesAsync_UsesAgentList_AndCachesItSixtySeconds()
    {
        var (fencer, runner, time) = Create([Device("a")]);

        var first = await fencer.QueryDevicesAsync(Node1, CancellationToken.None);
        var ghost = await fencer.QueryDevicesAsync(new NodeName("ghost"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(61));
        await fencer.QueryDevicesAsync(Node1, CancellationToken.None);

        Assert.That(first.Single().Check, Is.EqualTo(HostCheck.DynamicList));
        Assert.That(first.Single().CanFence, Is.True);
        Assert.That(ghost.Single().CanFence, Is.False);
        Assert.That(runner.Runs(), Is.EqualTo(new[] { "a:list", "a:list" }));
    }

    [Test]
    public async Task QueryDevicesAsync_FallsBackToStatus_WhenListFailsAndNoCheckConfigured()
    {
        var (fencer, runner, _) = Create([Device("a")]);
        runner.Answer("a", "list", (1, Fast));
        runner.Answer("a", "status", (2, Fast));

        var capability = (await fencer.QueryDevicesAsync(Node1, CancellationToken.None)).Single();

        Assert.That(capability.Check, Is.EqualTo(HostCheck.Status));
        Assert.That(capability.CanFence, Is.True);
    }

    [TestCase(0, true)]
    [TestCase(2, true)]
    [TestCase(1, false)]
    public async Task QueryDevicesAsync_UsesStatusExit_WhenHostCheckStatus(int exit, bool canFence)
    {
        var (fencer, runner, _) = Create([Device("a", ("pcmk_host_check", "status"))]);
        runner.Answer("a", "status", (exit, Fast));

        var capability = (await fencer.QueryDevicesAsync(Node1, CancellationToken.None)).Single();

        Assert.That(capability.CanFence, Is.EqualTo(canFence));
        Assert.That(runner.Calls.Single(c => c.Action == "status").Arguments, Does.Contain(new KeyValuePair<string, string>("nodename", "node1")));
    }

    [Test]
    public async Task FindUnfenceableNodesAsync_ListsNodesNoDeviceOrLevelCovers()
    {
        var (fencer, _, _) = Create(
            [Device("a", ("pcmk_host_list", "node2")), Device("b", ("pcmk_host_check", "static-list"))],
            [new FencingLevel("l1", 1, new NodeName("node3"), null, null, null, [new ResourceId("b")])]);

        var missing = await fencer.FindUnfenceableNodesAsync(
            [new NodeName("node1"), new NodeName("node2"), new NodeName("node3"), new NodeName("node4")], CancellationToken.None);

        Assert.That(missing, Is.EqualTo(new[] { new NodeName("node1"), new NodeName("node4") }));
    }
}
