using System.Text.RegularExpressions;

namespace ClusterManager.Lab.Tests;

/// <summary>
/// The seed's stack (VirtualIP, then HAProxy with it, fencing through the BMCs) failing over in the real lab:
/// <c>lab up</c> once for the fixture, one failure per test, each test leaving all three nodes in the cluster. A
/// checker samples every node's addresses every 20 ms for the whole fixture, and every test fails if the virtual IP
/// was on two nodes at once while it ran. Every start of haproxy records the node's addresses (the lab's
/// ExecStartPre), so every test also checks that haproxy never started on a node without the virtual IP.
/// </summary>
[NonParallelizable]
public class FailoverTests
{
    private static readonly TimeSpan UpLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(90);
    private const string VipInAddressList = " 198.18.0.100/24 ";

    private bool _ours;
    private VirtualIpChecker? _checker;
    private int _mark;

    private VirtualIpChecker Checker => _checker ?? throw new InvalidOperationException("the lab is not up");

    [OneTimeSetUp]
    public void BringLabUp()
    {
        var up = LabScript.Lab(UpLimit, "up", "--exclusive");
        if (up.ExitCode == LabScript.AlreadyPresent)
        {
            throw new InvalidOperationException(
                "a lab (or part of one) is already present on this machine; not ours, so left alone (lab down removes it):\n" + up.Describe());
        }

        _ours = true;
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("lab up failed:\n" + up.Describe());
        }

        _checker = VirtualIpChecker.Start(FailoverLab.VirtualIp, LabScript.Nodes, LabScript.Prefix);
    }

    [OneTimeTearDown]
    public void TakeLabDown()
    {
        _checker?.Dispose();
        if (_ours)
        {
            LabScript.Lab("down");
        }
    }

    [SetUp]
    public void MarkChecker() => _mark = Checker.Mark();

    [Test]
    [Order(1)]
    public async Task Seed_StartsVirtualIpThenHaproxy_OnOneNode()
    {
        var holder = await SettledHolderAsync();

        var answer = await HttpProbe.GetAsync(FailoverLab.VirtualIp, TimeSpan.FromSeconds(10), CancellationToken.None);
        var starts = FailoverLab.HaproxyStarts(holder);

        Assert.That(answer, Is.Not.Null, "an HTTP request through the virtual IP is answered");
        Assert.That(answer!.Node, Is.EqualTo(holder), "by haproxy on the node that holds the virtual IP");
        Assert.That(answer.Body, Does.StartWith("cmlab backend web"), "with a backend's page");
        Assert.That(starts, Is.Not.Empty.And.All.Contain(VipInAddressList), "haproxy started after the virtual IP was added");
        AssertNeverTwoHolders();
    }

    [Test]
    [Order(2)]
    public async Task Kill_MovesVirtualIpAndHaproxy_AfterBmcPowerCyclesTheNode()
    {
        var holder = await SettledHolderAsync();
        var since = DateTimeOffset.UtcNow;
        try
        {
            var kill = LabScript.Lab("kill", holder);
            var state = await FailoverLab.WaitForAsync(Checker, s => s.SettledOn is { } n && n != holder, FailoverLimit, CancellationToken.None);

            Assert.That(kill.ExitCode, Is.Zero, kill.Describe());
            Assert.That(state.SettledOn, Is.Not.Null.And.Not.EqualTo(holder), $"the stack moved off the killed node: {state}");
            var power = FailoverLab.PowerChanges(holder).Where(p => p.At > since).ToList();
            Assert.That(power.Select(p => p.On ? "on" : "off").Take(2), Is.EqualTo(new[] { "off", "on" }), "the killed node was fenced: powered off, then on");
            var taken = Checker.Taken(state.SettledOn!, since);
            Assert.That(taken, Is.Not.Null);
            Assert.That(taken!.NotBefore, Is.GreaterThanOrEqualTo(power[0].At), "the virtual IP was added only after the fence's power-off");
            AssertNeverTwoHolders();
        }
        finally
        {
            // The fence rebooted the node; should it not have, the next test still needs three nodes.
            if (!LabScript.WaitFor(() => LabScript.RecordedPid(holder) is { } pid && LabScript.IsAlive(pid), SettleLimit))
            {
                LabScript.Lab("start", holder);
            }
        }
    }

    [Test]
    [Order(3)]
    public async Task FailService_RestartsHaproxyInPlace_ThenMovesStackAtMigrationThreshold()
    {
        // The seed's 10 s monitor finds each crash; the second reaches the threshold. (The monitor's interval is left
        // alone: a failure recorded by a monitor whose definition changed since has its fail count cleared, as in
        // Pacemaker, so a shorter interval set here would reset the count.)
        FailoverLab.Hactl("resource", "meta", "HAProxy", "migration-threshold=2");
        try
        {
            var holder = await SettledHolderAsync();
            var firstRun = FailoverLab.HaproxyInvocation(holder);

            var firstFailure = LabScript.Lab("fail-service", holder);
            var restarted = await FailoverLab.WaitForAsync(
                Checker, s => s.SettledOn == holder && FailoverLab.HaproxyInvocation(holder) != firstRun, FailoverLimit, CancellationToken.None);

            Assert.That(firstFailure.ExitCode, Is.Zero, firstFailure.Describe());
            Assert.That(restarted.SettledOn, Is.EqualTo(holder), $"the first crash restarts haproxy where it was: {restarted}");
            Assert.That(FailoverLab.HaproxyInvocation(holder), Is.Not.EqualTo(firstRun), "a new haproxy run");

            var secondFailure = LabScript.Lab("fail-service", holder);
            var moved = await FailoverLab.WaitForAsync(Checker, s => s.SettledOn is { } n && n != holder, FailoverLimit, CancellationToken.None);

            Assert.That(secondFailure.ExitCode, Is.Zero, secondFailure.Describe());
            Assert.That(moved.SettledOn, Is.Not.Null.And.Not.EqualTo(holder), $"the second crash reaches migration-threshold=2: both move: {moved}");
            AssertNeverTwoHolders();
        }
        finally
        {
            FailoverLab.Hactl("resource", "meta", "HAProxy", "migration-threshold=");
            FailoverLab.Hactl("resource", "cleanup", "HAProxy");
        }
    }

    [Test]
    [Order(4)]
    public async Task Standby_MovesEverythingOffTheNode()
    {
        var holder = await SettledHolderAsync();
        try
        {
            FailoverLab.Hactl("node", "standby", holder);
            var state = await FailoverLab.WaitForAsync(Checker, s => s.SettledOn is { } n && n != holder, FailoverLimit, CancellationToken.None);

            Assert.That(state.SettledOn, Is.Not.Null.And.Not.EqualTo(holder), $"the stack left the standby node: {state}");
            Assert.That(state.VipHolders, Does.Not.Contain(holder));
            Assert.That(state.HaproxyActiveOn, Does.Not.Contain(holder));
            AssertNeverTwoHolders();
        }
        finally
        {
            FailoverLab.Hactl("node", "unstandby", holder);
        }
    }

    [Test]
    [Order(5)]
    public async Task Partition_MinorityStopsItsResources_AndMajorityTakesOverAfterFencingIt()
    {
        var holder = await SettledHolderAsync();
        // The fence waits 3 s, so the partitioned node's own stop (no-quorum-policy=stop) is seen before it.
        FailoverLab.Hactl("stonith", "update", "fence-" + holder, "pcmk_delay_base=3s");
        var since = DateTimeOffset.UtcNow;
        try
        {
            var partition = LabScript.Lab("partition", holder);
            var state = await FailoverLab.WaitForAsync(Checker, s => s.SettledOn is { } n && n != holder, FailoverLimit, CancellationToken.None);

            Assert.That(partition.ExitCode, Is.Zero, partition.Describe());
            Assert.That(state.SettledOn, Is.Not.Null.And.Not.EqualTo(holder), $"the majority runs the stack: {state}");
            var released = Checker.Released(holder, since);
            var off = FailoverLab.PowerChanges(holder).FirstOrDefault(p => p.At > since && !p.On);
            var taken = Checker.Taken(state.SettledOn!, since);
            Assert.That(released, Is.Not.Null, "the virtual IP left the partitioned node");
            Assert.That(off, Is.Not.Null, "the partitioned node was fenced through its BMC");
            Assert.That(released!.At, Is.LessThan(off!.At), "the partitioned node removed the virtual IP itself, before the fence");
            Assert.That(taken!.NotBefore, Is.GreaterThanOrEqualTo(off.At), "the majority added it only after the fence");
            AssertNeverTwoHolders();
        }
        finally
        {
            LabScript.Lab("heal", holder);
            FailoverLab.Hactl("stonith", "update", "fence-" + holder, "pcmk_delay_base=");
            if (!LabScript.WaitFor(() => LabScript.RecordedPid(holder) is { } pid && LabScript.IsAlive(pid), SettleLimit))
            {
                LabScript.Lab("start", holder);
            }
        }
    }

    /// <summary>
    /// Waits until all three nodes are in the cluster (they agree on a leader, hactl lists them online) and the stack
    /// runs on one node; returns that node.
    /// </summary>
    private async Task<string> SettledHolderAsync()
    {
        var agreement = await LabScript.WaitForAgreementAsync(LabScript.Nodes, SettleLimit, CancellationToken.None);
        Assert.That(agreement.Values, Has.All.Not.Null.And.Property("HasQuorum").True, "all three nodes are in the cluster");
        var online = LabScript.WaitFor(
            () => Regex.IsMatch(LabScript.Lab("hactl", "status").Output, @"Online: \[ n1 n2 n3 \]"), SettleLimit);
        Assert.That(online, Is.True, "hactl status lists all three nodes online");
        var state = await FailoverLab.WaitForAsync(Checker, s => s.SettledOn is not null, SettleLimit, CancellationToken.None);
        Assert.That(state.SettledOn, Is.Not.Null, $"the stack runs on one node: {state}");
        return state.SettledOn!;
    }

    /// <summary>The invariants of every test: one holder of the virtual IP at a time; haproxy only started with it.</summary>
    private void AssertNeverTwoHolders()
    {
        Assert.That(Checker.DualHoldsSince(_mark), Is.Empty, "the virtual IP was never on two nodes at once");
        Assert.That(Checker.LastError, Is.Null, "the checker read every node's addresses");
        var withoutVip = LabScript.Nodes.SelectMany(n => FailoverLab.HaproxyStarts(n).Where(s => !s.Contains(VipInAddressList, StringComparison.Ordinal))
            .Select(s => $"{n}: {s}")).ToList();
        Assert.That(withoutVip, Is.Empty, "haproxy never started on a node without the virtual IP");
    }
}
