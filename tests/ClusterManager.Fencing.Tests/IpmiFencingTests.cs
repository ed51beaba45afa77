using ClusterManager.Fencing.Agents;
using ClusterManager.Fencing.Lab;
using ClusterManager.Model;

namespace ClusterManager.Fencing.Tests;

/// <summary>Fencing real IPMI BMCs (ipmi_sim in a test network namespace) through fence_ipmilan and fence_cm_ipmi.</summary>
[NonParallelizable]
public class IpmiFencingTests
{
    private IpmiLab _lab = null!;

    [OneTimeSetUp]
    public void StartLab() => _lab = IpmiLab.Start(3);

    [OneTimeTearDown]
    public void StopLab() => _lab?.Dispose();

    [SetUp]
    public void ResetLab() => _lab.Reset();

    [TestCase("fence_ipmilan")]
    [TestCase("fence_cm_ipmi")]
    public async Task FenceAsync_PowersNodeOffThenOn_ThroughAgent(string agent)
    {
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc1", agent, _lab.Bmc("node1")));
        var pid = _lab.NodePid("node1");
        var boots = _lab.Boots("node1");

        var off = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);

        Assert.That(off.Succeeded, Is.True, off.Message);
        Assert.That(pid, Is.Not.Null);
        Assert.That(Shell.IsAlive(pid!.Value), Is.False, "the node's process was killed");
        Assert.That(_lab.IsPoweredOn("node1"), Is.False);
        Assert.That(_lab.IsPoweredOn("node2"), Is.True, "other nodes untouched");

        var on = await fencer.FenceAsync(new NodeName("node1"), FenceAction.On, CancellationToken.None);

        Assert.That(on.Succeeded, Is.True, on.Message);
        Assert.That(_lab.IsPoweredOn("node1"), Is.True);
        Assert.That(_lab.Boots("node1"), Is.EqualTo(boots + 1));
    }

    [TestCase("fence_ipmilan")]
    [TestCase("fence_cm_ipmi")]
    public async Task FenceAsync_RebootsNode_ThroughAgent(string agent)
    {
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc2", agent, _lab.Bmc("node2")));
        var pid = _lab.NodePid("node2")!.Value;
        var boots = _lab.Boots("node2");

        var result = await fencer.FenceAsync(new NodeName("node2"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True, result.Message);
        Assert.That(result.ConfirmedBy, Is.EqualTo(new[] { new ResourceId("bmc2") }));
        Assert.That(Shell.IsAlive(pid), Is.False, "the old node process was killed");
        Assert.That(_lab.NodePid("node2"), Is.Not.Null.And.Not.EqualTo(pid), "a new node process runs");
        Assert.That(_lab.Boots("node2"), Is.EqualTo(boots + 1));
    }

    [Test]
    public async Task FenceAsync_FailsFast_WhenBmcReturnsError()
    {
        _lab.SetFault("node1", BmcFault.Error);
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc1", "fence_cm_ipmi", _lab.Bmc("node1")));

        var result = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("BMC refused power OFF"));
        Assert.That(result.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { AgentRunOutcome.Exited, AgentRunOutcome.Exited }),
            "two attempts (pcmk_off_retries default), each ended by the agent itself");
        Assert.That(_lab.IsPoweredOn("node1"), Is.True);
    }

    [TestCase("fence_cm_ipmi", "Timed out waiting to power OFF")]
    [TestCase("fence_ipmilan", "Timed out waiting to power OFF")]
    public async Task FenceAsync_Fails_WhenBmcStuckOn(string agent, string expected)
    {
        _lab.SetFault("node3", BmcFault.StuckOn);
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc3", agent, _lab.Bmc("node3"),
            ("power_timeout", "2"), ("pcmk_off_retries", "1"), ("disable_timeout", "0")));

        var result = await fencer.FenceAsync(new NodeName("node3"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain(expected));
        Assert.That(_lab.IsPoweredOn("node3"), Is.True);
    }

    [Test]
    public async Task FenceAsync_Fails_WhenBmcUnreachable()
    {
        var bmc = _lab.Bmc("node1") with { Address = _lab.Network.UnreachableAddress };
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc1", "fence_cm_ipmi", bmc, ("ipmitool_timeout", "2"), ("pcmk_reboot_retries", "1")));

        var result = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Message, Does.Contain("Unable to obtain correct plug status"));
        Assert.That(_lab.IsPoweredOn("node1"), Is.True);
    }

    [Test]
    public async Task FenceAsync_KillsAgentTree_WhenAgentTimesOut()
    {
        // fence_ipmilan's ipmitool hangs on "power off"; run as Pacemaker runs it, the agent's own timeouts are
        // off, so only the device's pcmk_off_timeout ends it, and the hanging grandchild must die with it.
        var pids = Path.Combine(_lab.Root, "hang-pids");
        var wrapper = Path.Combine(_lab.Root, "ipmitool-hang");
        File.WriteAllText(wrapper, $"#!/bin/bash\necho $$ >> {pids}\ncase \" $* \" in *\" off \"*) exec sleep 600 ;; esac\nexec ipmitool \"$@\"\n");
        Shell.Run("chmod", "755", wrapper);
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc2", "fence_ipmilan", _lab.Bmc("node2"),
            ("ipmitool_path", wrapper), ("pcmk_off_timeout", "8s")));

        var result = await fencer.FenceAsync(new NodeName("node2"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.Attempts.Single().Outcome, Is.EqualTo(AgentRunOutcome.TimedOut), "a timeout is not retried");
        Assert.That(result.Message, Does.Contain("timed out"));
        var started = File.ReadAllLines(pids).Select(int.Parse).ToList();
        Assert.That(started, Has.Count.GreaterThanOrEqualTo(2), "status, then the hanging off");
        Assert.That(Shell.WaitFor(() => started.All(p => !Shell.IsAlive(p)), TimeSpan.FromSeconds(10)), Is.True,
            "the agent's hanging ipmitool child was killed with it");
        Assert.That(_lab.IsPoweredOn("node2"), Is.True);
    }

    [Test]
    public async Task FenceAsync_FallsThroughToLevelTwo_WhenLevelOneFails()
    {
        var bmc = _lab.Bmc("node1");
        var wrong = LabFencer.Ipmi("bmc1-wrong", "fence_ipmilan", bmc, ("password", "not-the-password"));
        var right = LabFencer.Ipmi("bmc1-cm", "fence_cm_ipmi", bmc);
        var levels = new[]
        {
            new Model.Configuration.FencingLevel("l1", 1, new NodeName("node1"), null, null, null, [wrong.Id]),
            new Model.Configuration.FencingLevel("l2", 2, new NodeName("node1"), null, null, null, [right.Id]),
        };
        var fencer = LabFencer.Create([wrong, right], levels);

        var result = await fencer.FenceAsync(new NodeName("node1"), FenceAction.Off, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True, result.Message);
        Assert.That(result.SucceededLevel, Is.EqualTo(2));
        Assert.That(result.Attempts.Select(a => (a.Level, a.Device.Value, a.Succeeded)),
            Is.EqualTo(new (int?, string, bool)[] { (1, "bmc1-wrong", false), (1, "bmc1-wrong", false), (2, "bmc1-cm", true) }));
        Assert.That(_lab.IsPoweredOn("node1"), Is.False);
    }

    [Test]
    public async Task FenceCmIpmi_KeepsPasswordOffCommandLine()
    {
        var log = Path.Combine(_lab.Root, "ipmitool-argv.log");
        var wrapper = Path.Combine(_lab.Root, "ipmitool-wrapper");
        File.WriteAllText(wrapper, $"#!/bin/bash\necho \"argv: $* env: ${{IPMI_PASSWORD:+set}}\" >> {log}\nexec ipmitool \"$@\"\n");
        Shell.Run("chmod", "755", wrapper);
        var fencer = LabFencer.Create(LabFencer.Ipmi("bmc3", "fence_cm_ipmi", _lab.Bmc("node3"), ("ipmitool_path", wrapper)));

        var result = await fencer.FenceAsync(new NodeName("node3"), FenceAction.Reboot, CancellationToken.None);

        Assert.That(result.Succeeded, Is.True, result.Message);
        var calls = File.ReadAllLines(log);
        Assert.That(calls, Has.Length.GreaterThanOrEqualTo(4), "status, off, status..., on, status...");
        Assert.That(calls, Has.All.Not.Contains(IpmiLab.Password));
        Assert.That(calls, Has.All.Contains("-E").And.All.Contains("-C 3").And.All.Contains("env: set"));
        Assert.That(calls, Has.None.Contains("cycle"), "reboot is off then on, never a power cycle");
    }

    [TestCase("fence_ipmilan")]
    [TestCase("fence_cm_ipmi")]
    public async Task MonitorAsync_ExitsZero_WhenBmcAnswers_AndNonZeroWhenUnreachable(string agent)
    {
        var fencer = LabFencer.Create();
        var good = LabFencer.Ipmi("bmc1", agent, _lab.Bmc("node1"));
        var dead = LabFencer.Ipmi("dead", agent, _lab.Bmc("node1") with { Address = _lab.Network.UnreachableAddress },
            ("ipmitool_timeout", "1"), ("pcmk_monitor_timeout", "5s"));

        var up = await fencer.MonitorAsync(good, CancellationToken.None);
        var down = await fencer.MonitorAsync(dead, CancellationToken.None);

        Assert.That(up.ExitCode, Is.Zero, up.Describe());
        Assert.That(down.Succeeded, Is.False);
    }

    [TestCase("fence_ipmilan")]
    [TestCase("fence_cm_ipmi")]
    public async Task ValidateAsync_Fails_WhenRequiredParameterMissing(string agent)
    {
        var fencer = LabFencer.Create();
        var good = LabFencer.Ipmi("bmc1", agent, _lab.Bmc("node1"));
        var noIp = LabFencer.Device("bad", agent, ("username", "admin"), ("password", "x"));

        var ok = await fencer.ValidateAsync(good, CancellationToken.None);
        var bad = await fencer.ValidateAsync(noIp, CancellationToken.None);

        Assert.That(ok.ExitCode, Is.Zero, ok.Describe());
        Assert.That(bad.ExitCode, Is.EqualTo(1), bad.Describe());
    }

    [Test]
    public void FenceCmIpmi_AcceptsDeprecatedNames_AndReportsStatusCodes()
    {
        var bmc = _lab.Bmc("node3");
        var agent = Path.Combine(Shell.FencingAgentsDirectory(), "fence_cm_ipmi");
        var stdin = $"action=status\nipaddr={bmc.Address}\nipport={bmc.Port}\nlogin={bmc.User}\npasswd={bmc.Password}\nlanplus=1\n";

        var on = Shell.Run(agent, [], check: false, input: stdin);
        Shell.Run(agent, [], check: false, input: stdin.Replace("action=status", "action=off", StringComparison.Ordinal));
        var off = Shell.Run(agent, [], check: false, input: stdin);

        Assert.That((on.ExitCode, on.Stdout), Is.EqualTo((0, "Status: ON\n")), on.Stderr);
        Assert.That((off.ExitCode, off.Stdout), Is.EqualTo((2, "Status: OFF\n")), off.Stderr);
    }

    [TestCase("cipher=0\n", "cipher 0 sends no authentication")]
    [TestCase("method=cycle\n", "method 'cycle' is not supported")]
    [TestCase("privlvl=ROOT\n", "privlvl 'ROOT'")]
    public void FenceCmIpmi_RefusesUnsafeSettings(string extra, string expected)
    {
        var agent = Path.Combine(Shell.FencingAgentsDirectory(), "fence_cm_ipmi");

        var (exit, _, stderr) = Shell.Run(agent, [], check: false,
            input: "action=validate-all\nip=198.19.0.2\nusername=admin\npassword=x\n" + extra);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(expected));
    }
}
