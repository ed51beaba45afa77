using System.Diagnostics;
using static ClusterManager.Vrrp.Tests.Interop.Waits;

namespace ClusterManager.Vrrp.Tests.Interop;

/// <summary>
/// cm-vrrpd (node 1, 198.18.0.11) against real keepalived 2.2.7 (node 2, 198.18.0.12) in namespaces the test creates.
/// A <see cref="VipChecker"/> samples both nodes throughout and fails the test if both hold the VIP for longer than
/// <see cref="TransitionWindow"/> (outside a crash, where the dead node's stale address is excluded).
/// </summary>
[NonParallelizable]
public class KeepalivedInteropTests
{
    /// <summary>
    /// Longest tolerated dual holding: in a preemption the new master adverts before it adds the VIP, and the old one
    /// removes it on receipt, so the real overlap is milliseconds; the rest is `ip` process latency on a loaded host
    /// and 10–30 ms sampling.
    /// </summary>
    private static readonly TimeSpan TransitionWindow = TimeSpan.FromSeconds(1);

    private NetnsLab _lab = null!;
    private VipChecker _checker = null!;

    [OneTimeSetUp]
    public void RequireTools()
    {
        Assert.That(File.Exists("/usr/sbin/keepalived"), Is.True, "keepalived is not installed (deploy/deps/vrrp.packages)");
    }

    [SetUp]
    public void CreateLab()
    {
        _lab = NetnsLab.Create();
        _checker = new VipChecker(_lab);
    }

    [TearDown]
    public void RemoveLab()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                foreach (var log in Directory.EnumerateFiles(_lab.Directory, "*.log"))
                {
                    TestContext.Out.WriteLine($"==== {Path.GetFileName(log)}\n{File.ReadAllText(log)}");
                }
            }
        }
        finally
        {
            _checker.Dispose();
            _lab.Dispose();
        }
    }

    [Test]
    public void OursMaster_KeepalivedStaysBackup_ThenTakesOverOnGracefulStop()
    {
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => _lab.HasVip(2), "keepalived becomes master alone");
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 });
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours preempts keepalived");

        StaysFor(TimeSpan.FromSeconds(1.5), () => _lab.HasVip(1) && !_lab.HasVip(2), "ours stays the only master (keepalived accepts our adverts)");
        ours.Signal("TERM");
        Assert.That(ours.WaitForExit(Generous), Is.True, "cm-vrrpd exits on SIGTERM");
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived takes over after our priority-0 advert");

        LogShows(() => keepalived.Log, "Backup received priority 0 advertisement");
        LogShows(() => ours.Log, "state Master -> Initialize");
        AssertNoDualMaster();
    }

    [Test]
    public void KeepalivedMaster_OursBackup_FailsOverOnCrashAndKeepalivedPreemptsBack()
    {
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 100 });
        Until(() => _lab.HasVip(2), "keepalived becomes master");
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 90 });
        Until(() => ours.Log.Contains("Initialize -> Backup", StringComparison.Ordinal), "ours starts as backup");
        StaysFor(TimeSpan.FromSeconds(1.5), () => !_lab.HasVip(1), "ours stays backup while keepalived is master");

        _checker.Ignore(2);
        keepalived.Crash();
        Until(() => _lab.HasVip(1), "ours takes over after the master-down interval");
        LogShows(() => ours.Log, "Backup -> Master, priority 90: master down timer expired");

        var restarted = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 100 });
        Until(() => !_lab.HasVip(2), "restarted keepalived removes its stale VIP");
        _checker.Watch(2);
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived (priority 100) preempts back");

        LogShows(() => ours.Log, "higher priority 100 advert from 198.18.0.12");
        Assert.That(restarted.Log, Does.Not.Contain("bogus").And.Not.Contain("invalid"));
        AssertNoDualMaster();
    }

    [Test]
    public void OursCrash_KeepalivedTakesOver_ThenRestartedOursPreemptsBack()
    {
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 });
        Until(() => _lab.HasVip(1), "ours becomes master");
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => keepalived.Log.Contains("Entering BACKUP STATE", StringComparison.Ordinal), "keepalived starts as backup");
        StaysFor(TimeSpan.FromSeconds(1), () => !_lab.HasVip(2), "keepalived stays backup");

        _checker.Ignore(1);
        ours.Signal("KILL");
        Assert.That(ours.WaitForExit(Generous), Is.True);
        Until(() => _lab.HasVip(2), "keepalived takes over after kill -9 of ours");
        LogShows(() => keepalived.Log, "Receive advertisement timeout");

        var restarted = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 });
        Until(() => restarted.Log.Contains("Initialize -> Backup", StringComparison.Ordinal), "restarted ours starts (and has removed the stale VIP)");
        _checker.Watch(1);
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours preempts back");

        LogShows(() => keepalived.Log, "with higher priority 100, ours 90");
        AssertNoDualMaster();
    }

    [Test]
    public void UnicastPeers_InteroperateBothWays()
    {
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100, UnicastSrc = "198.18.0.11", UnicastPeer = "198.18.0.12" });
        Until(() => _lab.HasVip(1), "ours becomes master");
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90, UnicastSrc = "198.18.0.12", UnicastPeer = "198.18.0.11" });
        Until(() => keepalived.Log.Contains("Entering BACKUP STATE", StringComparison.Ordinal), "keepalived starts as backup");
        StaysFor(TimeSpan.FromSeconds(1.5), () => _lab.HasVip(1) && !_lab.HasVip(2), "keepalived accepts our unicast adverts");

        ours.Signal("TERM");
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived takes over after our unicast priority-0 advert");
        var again = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100, UnicastSrc = "198.18.0.11", UnicastPeer = "198.18.0.12" });
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours preempts back over unicast (it receives keepalived's unicast adverts)");

        Assert.That(again.Log, Does.Not.Contain("mismatch"));
        AssertNoDualMaster();
    }

    [Test]
    public void Version2WithPass_KeepalivedAcceptsOurAdverts()
    {
        var options = new PeerOptions { Version = 2, AdvertInt = 1, Pass = "kvpass12" };
        var keepalived = Peers.StartKeepalived(_lab, 2, options with { Priority = 90 });
        var ours = Peers.StartOurs(_lab, 1, options with { Priority = 100 });
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours becomes the master");

        // Longer than keepalived's Master_Down_Interval (3.65 s): it would take over if it dropped our adverts.
        StaysFor(TimeSpan.FromSeconds(4.5), () => _lab.HasVip(1) && !_lab.HasVip(2), "keepalived stays backup");
        ours.Signal("TERM");
        Until(() => _lab.HasVip(2), "keepalived takes over after our priority-0 advert");

        Assert.That(keepalived.Log, Does.Not.Contain("invalid passwd"));
        Assert.That(ours.Log, Does.Not.Contain("mismatch"));
        AssertNoDualMaster();
    }

    [Test]
    public void VirtualMac_CarriesVipAdvertsAndArpReplies_AndIsRemovedOnStop()
    {
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 }, ", \"useVmac\": true");
        Until(() => _lab.HasVip(1), "ours becomes master");
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => keepalived.Log.Contains("Entering BACKUP STATE", StringComparison.Ordinal), "keepalived starts as backup");
        StaysFor(TimeSpan.FromSeconds(1.5), () => _lab.HasVip(1) && !_lab.HasVip(2), "keepalived accepts adverts sent from the virtual MAC");

        var node1 = NetnsLab.Namespace(_lab, 1);
        var node2 = NetnsLab.Namespace(_lab, 2);
        Assert.That(NetnsLab.Run("ip", $"-n {node1} -4 -o addr show dev vrrp.51").Output, Does.Contain($" {NetnsLab.Vip}/24"));
        Assert.That(NetnsLab.Run("ip", $"-n {node1} link show vrrp.51").Output, Does.Contain("link/ether 00:00:5e:00:01:33"));
        Assert.That(NetnsLab.Run("ip", $"netns exec {node2} ping -c 1 -W 5 {NetnsLab.Vip}").ExitCode, Is.Zero, "the VIP answers");
        Assert.That(NetnsLab.Run("ip", $"-n {node2} neigh show {NetnsLab.Vip}").Output, Does.Contain("00:00:5e:00:01:33"), "the peer resolved the VIP to the virtual MAC");

        ours.Signal("TERM");
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived takes over after our priority-0 advert");
        Assert.That(ours.WaitForExit(Generous), Is.True);
        Assert.That(NetnsLab.Run("ip", $"-n {node1} link show vrrp.51").ExitCode, Is.Not.Zero, "the macvlan is removed on stop");
        AssertNoDualMaster();
    }

    [Test]
    public void Nopreempt_LeavesLowerPriorityKeepalivedMaster()
    {
        Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => _lab.HasVip(2), "keepalived becomes master");
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 }, ", \"preempt\": false");
        Until(() => ours.Log.Contains("Initialize -> Backup", StringComparison.Ordinal), "ours starts as backup");

        // Several of our Master_Down_Intervals (0.61 s): with preemption we would have taken over long before.
        StaysFor(TimeSpan.FromSeconds(2.5), () => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived stays master");
        AssertNoDualMaster();
    }

    [Test]
    public void PreemptDelay_DelaysTakeoverFromLowerPriorityKeepalived()
    {
        Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => _lab.HasVip(2), "keepalived becomes master");
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 }, ", \"preemptDelay\": 2");
        Until(() => ours.Log.Contains("Initialize -> Backup", StringComparison.Ordinal), "ours starts as backup");
        var started = Stopwatch.StartNew();

        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours preempts after the delay");

        // Lower bound only (an upper bound would be a timed assertion): 2 s delay + Master_Down_Interval.
        Assert.That(started.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(2)));
        AssertNoDualMaster();
    }

    [Test]
    public void WrongPassword_IsReportedNamingPeerAndField()
    {
        var options = new PeerOptions { Version = 2, AdvertInt = 1 };
        Peers.StartKeepalived(_lab, 2, options with { Priority = 100, Pass = "kvpass12" });
        var ours = Peers.StartOurs(_lab, 1, options with { Priority = 90, Pass = "wrongpw1" });

        Until(() => ours.Log.Contains("VRRP mismatch from peer 198.18.0.12: field Password", StringComparison.Ordinal), "ours reports the password mismatch");
        Assert.That(ours.Log, Does.Contain("(advert dropped)"));
    }

    [Test]
    public void WrongAddressList_IsReportedNamingPeerAndField()
    {
        Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 100 });
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 90, Vip = "198.18.0.101" });

        Until(() => ours.Log.Contains("VRRP mismatch from peer 198.18.0.12: field AddressList expected [198.18.0.101] received [198.18.0.100]", StringComparison.Ordinal), "ours reports the address-list mismatch");
    }

    [Test]
    public void IntervalMismatch_IsReportedNamingPeerAndField()
    {
        Peers.StartKeepalived(_lab, 2, new PeerOptions { Version = 2, AdvertInt = 1, Priority = 100 });
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Version = 2, AdvertInt = 2, Priority = 90 });

        Until(() => ours.Log.Contains("VRRP mismatch from peer 198.18.0.12: field AdvertInterval expected 2s received 1s", StringComparison.Ordinal), "ours reports the interval mismatch");
    }

    [Test]
    public void TrackScriptFailure_LowersPriorityAndNotifyScriptsSeeEveryTransition()
    {
        var healthy = _lab.WriteFile("healthy", string.Empty);
        var notifyLog = Path.Combine(_lab.Directory, "notify.log");
        var notify = _lab.WriteFile("notify.sh", $"#!/bin/sh\necho \"$*\" >> {notifyLog}\n");
        NetnsLab.Run("chmod", $"755 {notify}");
        var scripts = $$"""
            "scripts": [{ "name": "chk", "script": "test -f {{healthy}}", "interval": 0.2, "weight": -20, "fall": 2, "rise": 2 }],
            """;
        var instance = $$"""
            , "trackScripts": ["chk"], "notifyMaster": "{{notify}} n1 MASTER", "notifyBackup": "{{notify}} n1 BACKUP", "notify": "{{notify}} generic"
            """;
        var ours = Peers.StartOurs(_lab, 1, new PeerOptions { Priority = 100 }, instance, scripts);
        Until(() => _lab.HasVip(1), "ours becomes master");
        var keepalived = Peers.StartKeepalived(_lab, 2, new PeerOptions { Priority = 90 });
        Until(() => keepalived.Log.Contains("Entering BACKUP STATE", StringComparison.Ordinal), "keepalived starts as backup");

        File.Delete(healthy);
        Until(() => _lab.HasVip(2) && !_lab.HasVip(1), "keepalived preempts our priority 80");
        Assert.That(ours.Log, Does.Contain("track script script:chk now failed; effective priority 80"));
        File.WriteAllText(healthy, string.Empty);
        Until(() => _lab.HasVip(1) && !_lab.HasVip(2), "ours preempts back at priority 100");
        Until(() => File.Exists(notifyLog) && File.ReadAllText(notifyLog).Split('\n').Count(l => l.Contains("generic", StringComparison.Ordinal)) >= 4, "notify scripts ran");

        var lines = File.ReadAllLines(notifyLog).Where(l => l.StartsWith("generic", StringComparison.Ordinal)).ToList();
        Assert.That(lines, Is.EqualTo(new[] { "generic INSTANCE VI_1 BACKUP 100", "generic INSTANCE VI_1 MASTER 100", "generic INSTANCE VI_1 BACKUP 80", "generic INSTANCE VI_1 MASTER 100" }));
        Assert.That(File.ReadAllLines(notifyLog), Does.Contain("n1 MASTER").And.Contain("n1 BACKUP"));
        Assert.That(File.ReadAllText(Path.Combine(_lab.Directory, "state-n1", "VI_1.state")), Is.EqualTo("MASTER\n"));
        AssertNoDualMaster();
    }

    private void AssertNoDualMaster()
    {
        var samples = _checker.Samples;
        var longest = _checker.StopAndLongestOverlap();
        Assert.That(samples, Is.GreaterThan(20), "the checker sampled");
        Assert.That(longest, Is.LessThanOrEqualTo(TransitionWindow), "both nodes held the VIP outside a transition");
    }
}
