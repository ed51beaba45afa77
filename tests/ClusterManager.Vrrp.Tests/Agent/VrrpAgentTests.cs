using System.Globalization;
using ClusterManager.Agents;
using ClusterManager.Agents.Vrrp;
using ClusterManager.Vrrp.Tests.Interop;
using Microsoft.Extensions.Logging.Abstractions;
using static ClusterManager.Vrrp.Tests.Interop.Waits;

namespace ClusterManager.Vrrp.Tests.Agent;

/// <summary>
/// <c>ocf:clustermanager:vrrp</c> on two nodes (namespaces cmt-vrrpag-*, each with its own agent, state directory and
/// attribute channel, as two cluster daemons would have), and once against a real keepalived peer.
/// </summary>
[NonParallelizable]
public class VrrpAgentTests
{
    private const string Resource = "vip-vrrp";
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(20);

    private NetnsLab _lab = null!;
    private VipChecker _checker = null!;
    private readonly List<VrrpAgent> _agents = [];
    private readonly List<Func<Task>> _stops = [];

    [SetUp]
    public void CreateLab()
    {
        _lab = NetnsLab.Create("cmt-vrrpag");
        _checker = new VipChecker(_lab);
    }

    [TearDown]
    public async Task RemoveLab()
    {
        try
        {
            // Stop what a failed test left running through the agent (pid files), then the lab kills the rest.
            foreach (var stop in _stops)
            {
                await stop();
            }

            foreach (var agent in _agents)
            {
                await agent.DisposeAsync();
            }

            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                foreach (var log in Directory.EnumerateFiles(_lab.Directory, "*.log", SearchOption.AllDirectories))
                {
                    await TestContext.Out.WriteLineAsync($"==== {log}\n{await File.ReadAllTextAsync(log)}");
                }
            }
        }
        finally
        {
            _agents.Clear();
            _stops.Clear();
            _checker.Dispose();
            _lab.Dispose();
        }
    }

    [Test]
    public async Task Start_OneMasterHoldsTheAddress_StopOfTheMasterMovesItAndLeavesNothing()
    {
        var (agent1, sink1) = Node(1);
        var (agent2, sink2) = Node(2);
        Assert.That((await RunAsync(agent1, 1, AgentActions.Monitor, 100)).Rc, Is.EqualTo(OcfExitCode.NotRunning), "probe before start");

        var start1 = await RunAsync(agent1, 1, AgentActions.Start, 100);
        Assert.That(start1.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That((await RunAsync(agent2, 2, AgentActions.Start, 90)).Rc, Is.EqualTo(OcfExitCode.Success));
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "node 1 (priority 100) becomes the master");
        Until(() => sink1.Get(VrrpAgent.MasterAttribute(Resource)) == "1" && sink2.Get(VrrpAgent.MasterAttribute(Resource)) == "0",
            "the roles are published");
        Assert.That((await RunAsync(agent1, 1, AgentActions.Monitor, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That((await RunAsync(agent2, 2, AgentActions.Monitor, 90)).Rc, Is.EqualTo(OcfExitCode.Success));
        var pid = File.ReadAllText(Path.Combine(_lab.Directory, "agent-n2", Resource, "cm-vrrpd.pid"));
        Assert.That((await RunAsync(agent2, 2, AgentActions.Start, 90)).Rc, Is.EqualTo(OcfExitCode.Success), "a second start");
        Assert.That(File.ReadAllText(Path.Combine(_lab.Directory, "agent-n2", Resource, "cm-vrrpd.pid")), Is.EqualTo(pid), "adopts the running instance");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stop1 = await RunAsync(agent1, 1, AgentActions.Stop, 100);
        Assert.That(stop1.Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(_lab.HasVip(1), Is.False, "stop returns with the address removed");
        Until(() => _lab.HasVip(2), "node 2 takes over after the priority-0 advert");
        // Information, not an assertion: start until the instance is up, stop, and stop call to the address on node 2.
        await TestContext.Out.WriteLineAsync($"start {start1.Duration.TotalMilliseconds:0} ms, stop {stop1.Duration.TotalMilliseconds:0} ms, stop to takeover {clock.ElapsedMilliseconds} ms");
        Until(() => sink2.Get(VrrpAgent.MasterAttribute(Resource)) == "1", "node 2 publishes master");
        Assert.That(sink1.Get(VrrpAgent.MasterAttribute(Resource)), Is.EqualTo("0"));
        Assert.That((await RunAsync(agent1, 1, AgentActions.Monitor, 100)).Rc, Is.EqualTo(OcfExitCode.NotRunning));
        Assert.That((await RunAsync(agent1, 1, AgentActions.Stop, 100)).Rc, Is.EqualTo(OcfExitCode.Success), "a second stop");

        Assert.That((await RunAsync(agent2, 2, AgentActions.Stop, 90)).Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(_lab.HasVip(2), Is.False);
        AssertNoDualMaster();
    }

    [Test]
    public async Task Stop_LeavesNoAddress_AfterTheDaemonWasKilled()
    {
        var (agent, sink) = Node(1);
        Assert.That((await RunAsync(agent, 1, AgentActions.Start, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Until(() => _lab.HasVip(1) && sink.Get(VrrpAgent.MasterAttribute(Resource)) == "1", "the only node becomes master");

        var pid = int.Parse(File.ReadAllText(Path.Combine(_lab.Directory, "agent-n1", Resource, "cm-vrrpd.pid")).Trim(), CultureInfo.InvariantCulture);
        NetnsLab.Run("kill", $"-9 {pid}");
        Until(() => !_lab.HasVip(1), "the supervisor removes the crashed instance's address");
        Until(() => sink.Get(VrrpAgent.MasterAttribute(Resource)) == "0", "and publishes that it is no longer master");
        Assert.That((await RunAsync(agent, 1, AgentActions.Monitor, 100)).Rc, Is.EqualTo(OcfExitCode.NotRunning));
        Assert.That((await RunAsync(agent, 1, AgentActions.Stop, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(_lab.HasVip(1), Is.False);
    }

    [Test]
    public async Task Mismatch_IsPublishedAsAnAttributeNamingThePeerAndTheField()
    {
        var (agent1, _) = Node(1);
        var (agent2, sink2) = Node(2);
        Assert.That((await RunAsync(agent1, 1, AgentActions.Start, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Until(() => _lab.HasVip(1), "node 1 becomes master");
        Assert.That((await RunAsync(agent2, 2, AgentActions.Start, 90, ("ip", "198.18.0.101/24"))).Rc, Is.EqualTo(OcfExitCode.Success));

        Until(() => sink2.Get(VrrpAgent.MismatchAttribute(Resource)) is not null, "node 2 reports the mismatch");
        Assert.That(sink2.Get(VrrpAgent.MismatchAttribute(Resource)), Is.EqualTo("peer 198.18.0.11 field AddressList"));

        Assert.That((await RunAsync(agent2, 2, AgentActions.Stop, 90)).Rc, Is.EqualTo(OcfExitCode.Success));
        Assert.That(sink2.Get(VrrpAgent.MismatchAttribute(Resource)), Is.Null, "stop clears it");
    }

    [Test]
    public async Task Agent_InteroperatesWithKeepalived_MasterThenGracefulHandOver()
    {
        Assert.That(File.Exists("/usr/sbin/keepalived"), Is.True, "keepalived is not installed (deploy/deps/vrrp.packages)");
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => _lab.HasVip(2), "keepalived becomes master alone");
        var (agent, sink) = Node(1);
        Assert.That((await RunAsync(agent, 1, AgentActions.Start, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "the agent's instance preempts keepalived");
        Until(() => sink.Get(VrrpAgent.MasterAttribute(Resource)) == "1", "and publishes master");
        StaysFor(TimeSpan.FromSeconds(1.5), () => _lab.HasVip(1) && !_lab.HasVip(2), "keepalived accepts the agent's adverts");

        Assert.That((await RunAsync(agent, 1, AgentActions.Stop, 100)).Rc, Is.EqualTo(OcfExitCode.Success));
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived takes over");
        Assert.That(keepalived.Log, Does.Contain("Backup received priority 0 advertisement"));
        AssertNoDualMaster();
    }

    private (VrrpAgent Agent, RecordingAttributeSink Sink) Node(int node)
    {
        var sink = new RecordingAttributeSink();
        var agent = new VrrpAgent(
            new VrrpAgentOptions
            {
                StateDirectory = Path.Combine(_lab.Directory, $"agent-n{node}"),
                Daemon = Path.Combine(TestContext.CurrentContext.TestDirectory, "cm-vrrpd"),
                PollInterval = TimeSpan.FromMilliseconds(50),
            },
            TimeProvider.System, NullLogger<VrrpAgent>.Instance, sink);
        _agents.Add(agent);
        _stops.Add(async () => await RunAsync(agent, node, AgentActions.Stop, 100));
        return (agent, sink);
    }

    private Task<AgentResult> RunAsync(VrrpAgent agent, int node, string action, int priority, params (string Name, string Value)[] overrides)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["vrid"] = "51",
            ["interface"] = "eth0",
            ["ip"] = NetnsLab.Vip + "/24",
            ["priority"] = priority.ToString(CultureInfo.InvariantCulture),
            ["advert_int"] = "0.2",
            ["network_namespace"] = NetnsLab.Namespace(_lab, node),
        };
        foreach (var (name, value) in overrides)
        {
            parameters[name] = value;
        }

        return agent.ExecuteAsync(AgentRequest.Create(Resource, "ocf:clustermanager:vrrp", action, OperationTimeout, parameters), CancellationToken.None);
    }

    private void AssertNoDualMaster()
    {
        var samples = _checker.Samples;
        var longest = _checker.StopAndLongestOverlap();
        Assert.That(samples, Is.GreaterThan(20), "the checker sampled");
        Assert.That(longest, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(1)), "both nodes held the VIP outside a transition");
    }
}
