using System.Net;
using ClusterManager.Vrrp.Packets;
using ClusterManager.Vrrp.Protocol;

namespace ClusterManager.Vrrp.Tests.Protocol;

public class VrrpStateMachineTests
{
    private static readonly IPAddress Self = IPAddress.Parse("198.18.0.12");
    private static readonly IPAddress Peer = IPAddress.Parse("198.18.0.11");
    private static readonly IPAddress HigherPeer = IPAddress.Parse("198.18.0.13");
    private static readonly IPAddress Vip = IPAddress.Parse("198.18.0.100");

    private static VrrpInstanceSettings Settings(byte priority = 90, VrrpVersion version = VrrpVersion.V3, int intervalCs = 100) => new()
    {
        Name = "VI_1",
        VirtualRouterId = 51,
        Priority = priority,
        Version = version,
        AdvertIntervalCentiseconds = intervalCs,
        VirtualAddresses = [Vip],
        AuthPass = version == VrrpVersion.V2 ? "kvpass12" : null,
    };

    private static ReceivedPacket Packet(VrrpInstanceSettings settings, byte priority, IPAddress? from = null, string? pass = null, int? intervalCs = null, IReadOnlyList<IPAddress>? addresses = null, byte ttl = 255, VrrpVersion? version = null)
    {
        var v = version ?? settings.Version;
        var password = pass ?? settings.AuthPass;
        var advert = new VrrpAdvertisement(
            v,
            settings.VirtualRouterId,
            priority,
            intervalCs ?? settings.AdvertIntervalCentiseconds,
            addresses ?? settings.VirtualAddresses,
            v == VrrpVersion.V2 && password is not null ? VrrpAuthType.Pass : VrrpAuthType.None,
            v == VrrpVersion.V2 && password is not null ? VrrpAdvertisement.PasswordBytes(password) : new byte[8]);
        var source = from ?? Peer;
        return new ReceivedPacket(source, VrrpAddresses.MulticastV4, ttl, VrrpCodec.Encode(advert, source, VrrpAddresses.MulticastV4));
    }

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [TestCase(90, 100, 3648.4375)]
    [TestCase(100, 100, 3609.375)]
    [TestCase(90, 10, 364.84375)]
    [TestCase(254, 1, 30.078125)]
    public void Start_SetsMasterDownInterval_FromPriorityAndInterval(int priority, int intervalCs, double expectedMs)
    {
        var machine = new VrrpStateMachine(Settings((byte)priority, intervalCs: intervalCs), Self);

        var actions = machine.Start(TimeSpan.Zero);

        Assert.That(machine.State, Is.EqualTo(VrrpState.Backup));
        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(expectedMs)));
        Assert.That(actions.OfType<StateChanged>().Single().To, Is.EqualTo(VrrpState.Backup));
    }

    [Test]
    public void Start_BecomesMasterImmediately_WhenAddressOwner()
    {
        var machine = new VrrpStateMachine(Settings(255), Self);

        var actions = machine.Start(TimeSpan.Zero);

        Assert.That(machine.State, Is.EqualTo(VrrpState.Master));
        Assert.That(actions.OfType<SendAdvertisement>().Single().Advertisement.Priority, Is.EqualTo(255));
    }

    [Test]
    public void Tick_BecomesMasterInKeepalivedOrder_WhenDownTimerExpires()
    {
        var machine = new VrrpStateMachine(Settings(), Self);
        machine.Start(TimeSpan.Zero);

        var early = machine.Tick(Ms(3648));
        var actions = machine.Tick(Ms(3648.4375));

        Assert.That(early, Is.Empty);
        Assert.That(actions.Select(a => a.GetType()), Is.EqualTo(new[] { typeof(SendAdvertisement), typeof(AddAddresses), typeof(SendGratuitous), typeof(StateChanged) }));
        Assert.That(machine.State, Is.EqualTo(VrrpState.Master));
        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(4648.4375)));
    }

    [Test]
    public void Tick_SendsAdvertsEveryIntervalAndSecondGarpBurst_WhileMaster()
    {
        var machine = new VrrpStateMachine(Settings(255), Self);
        machine.Start(TimeSpan.Zero);
        var adverts = 0;
        var garps = new List<int>();

        for (var t = 1; t <= 6; t++)
        {
            var actions = machine.Tick(TimeSpan.FromSeconds(t));
            adverts += actions.OfType<SendAdvertisement>().Count();
            garps.AddRange(actions.OfType<SendGratuitous>().Select(g => g.Count));
        }

        Assert.That(adverts, Is.EqualTo(6));
        Assert.That(garps, Is.EqualTo(new[] { 5 }));
    }

    [Test]
    public void Receive_ShortensDownTimerToSkew_WhenMasterResigns()
    {
        var settings = Settings();
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        machine.Receive(Packet(settings, 0), Ms(500));

        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(500 + 648.4375)));
    }

    [TestCase(true, 3648.4375, TestName = "Receive_DiscardsLowerPriorityAdvert_WhenPreempting")]
    [TestCase(false, 1000 + 3648.4375, TestName = "Receive_ResetsDownTimerOnLowerPriorityAdvert_WhenNopreempt")]
    public void Receive_HandlesLowerPriorityAdvert_ByPreemptMode(bool preempt, double expectedDeadlineMs)
    {
        var settings = Settings() with { Preempt = preempt };
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        machine.Receive(Packet(settings, 80), Ms(1000));

        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(expectedDeadlineMs)));
    }

    [Test]
    public void Receive_PreemptsOnlyAfterPreemptDelay_WhenLowerPriorityMasterSeen()
    {
        var settings = Settings() with { PreemptDelay = TimeSpan.FromSeconds(5) };
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        for (var t = 0; t <= 6; t++)
        {
            machine.Receive(Packet(settings, 80), TimeSpan.FromSeconds(t));
        }

        // Adverts before 5 s (inside the delay) reset the timer; from 5 s on they are discarded.
        Assert.That(machine.NextDeadline, Is.EqualTo(TimeSpan.FromSeconds(4) + Ms(3648.4375)));
        machine.Tick(machine.NextDeadline!.Value);
        Assert.That(machine.State, Is.EqualTo(VrrpState.Master));
    }

    [Test]
    public void Receive_AdoptsMasterInterval_InVersion3()
    {
        var settings = Settings();
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        var actions = machine.Receive(Packet(settings, 100, intervalCs: 50), Ms(100));

        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(100 + 1500 + 324.21875)));
        Assert.That(actions.OfType<MismatchDetected>().Single().Mismatch, Is.EqualTo(new VrrpMismatch("VI_1", Peer, VrrpMismatchField.AdvertInterval, "1s", "0.5s", false)));
    }

    [TestCase(100, "198.18.0.11", VrrpState.Backup, TestName = "Receive_StepsDown_WhenHigherPriority")]
    [TestCase(90, "198.18.0.13", VrrpState.Backup, TestName = "Receive_StepsDown_WhenEqualPriorityFromHigherAddress")]
    [TestCase(90, "198.18.0.11", VrrpState.Master, TestName = "Receive_StaysMaster_WhenEqualPriorityFromLowerAddress")]
    [TestCase(80, "198.18.0.13", VrrpState.Master, TestName = "Receive_StaysMaster_WhenLowerPriority")]
    public void Receive_DecidesMastership_AsMaster(int priority, string from, VrrpState expected)
    {
        var settings = Settings();
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);
        machine.Tick(machine.NextDeadline!.Value);

        var actions = machine.Receive(Packet(settings, (byte)priority, IPAddress.Parse(from)), TimeSpan.FromSeconds(4));

        Assert.That(machine.State, Is.EqualTo(expected));
        Assert.That(actions.OfType<RemoveAddresses>().Any(), Is.EqualTo(expected == VrrpState.Backup));
    }

    [Test]
    public void Receive_ReassertsAndRegarps_WhenMasterHearsLowerPriorityMaster()
    {
        var settings = Settings();
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);
        machine.Tick(machine.NextDeadline!.Value);

        var actions = machine.Receive(Packet(settings, 50, HigherPeer), TimeSpan.FromSeconds(4));

        Assert.That(actions.OfType<SendAdvertisement>().Single().Advertisement.Priority, Is.EqualTo(90));
        Assert.That(actions.OfType<SendGratuitous>().Single().Count, Is.EqualTo(5));
    }

    [Test]
    public void Stop_SendsPriorityZeroAndRemovesAddresses_WhenMaster()
    {
        var machine = new VrrpStateMachine(Settings(), Self);
        machine.Start(TimeSpan.Zero);
        machine.Tick(machine.NextDeadline!.Value);

        var actions = machine.Stop(TimeSpan.FromSeconds(5));

        Assert.That(actions.OfType<SendAdvertisement>().Single().Advertisement.Priority, Is.Zero);
        Assert.That(actions.OfType<RemoveAddresses>().Count(), Is.EqualTo(1));
        Assert.That(machine.State, Is.EqualTo(VrrpState.Initialize));
        Assert.That(machine.NextDeadline, Is.Null);
    }

    [Test]
    public void Stop_SendsNothing_WhenBackup()
    {
        var machine = new VrrpStateMachine(Settings(), Self);
        machine.Start(TimeSpan.Zero);

        var actions = machine.Stop(TimeSpan.FromSeconds(1));

        Assert.That(actions.OfType<SendAdvertisement>(), Is.Empty);
    }

    [Test]
    public void EnterFault_ReleasesAndClearFault_ReturnsToBackup()
    {
        var machine = new VrrpStateMachine(Settings(), Self);
        machine.Start(TimeSpan.Zero);
        machine.Tick(machine.NextDeadline!.Value);

        var fault = machine.EnterFault(TimeSpan.FromSeconds(5), "interface:eth0 failed");
        var clear = machine.ClearFault(TimeSpan.FromSeconds(6));

        Assert.That(fault.OfType<SendAdvertisement>().Single().Advertisement.Priority, Is.Zero);
        Assert.That(fault.OfType<StateChanged>().Single().To, Is.EqualTo(VrrpState.Fault));
        Assert.That(clear.OfType<StateChanged>().Single().To, Is.EqualTo(VrrpState.Backup));
        Assert.That(machine.NextDeadline, Is.EqualTo(TimeSpan.FromSeconds(6) + Ms(3648.4375)));
    }

    [TestCase(50, 50)]
    [TestCase(-200, 1)]
    [TestCase(400, 254)]
    public void SetEffectivePriority_ClampsAndIsAdvertised(int requested, int expected)
    {
        var machine = new VrrpStateMachine(Settings(), Self);
        machine.Start(TimeSpan.Zero);
        machine.Tick(machine.NextDeadline!.Value);

        machine.SetEffectivePriority(requested, TimeSpan.FromSeconds(4));
        var next = machine.Tick(machine.NextDeadline!.Value);

        Assert.That(next.OfType<SendAdvertisement>().Single().Advertisement.Priority, Is.EqualTo(expected));
    }

    [Test]
    public void Receive_ReportsAndDrops_WrongPassword()
    {
        var settings = Settings(version: VrrpVersion.V2);
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        var actions = machine.Receive(Packet(settings, 100, pass: "other"), Ms(500));

        var mismatch = actions.OfType<MismatchDetected>().Single().Mismatch;
        Assert.That((mismatch.Peer, mismatch.Field, mismatch.Dropped), Is.EqualTo((Peer, VrrpMismatchField.Password, true)));
        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(3648.4375)), "a dropped advert must not reset the down timer");
    }

    private static readonly object[] Mismatches =
    [
        new object[] { VrrpVersion.V2, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s, 100, intervalCs: 200)), VrrpMismatchField.AdvertInterval, "1s", "2s" },
        new object[] { VrrpVersion.V3, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s, 100, addresses: [IPAddress.Parse("198.18.0.101")])), VrrpMismatchField.AddressList, "[198.18.0.100]", "[198.18.0.101]" },
        new object[] { VrrpVersion.V3, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s, 100, addresses: [Vip, IPAddress.Parse("198.18.0.101")])), VrrpMismatchField.AddressList, "[198.18.0.100]", "[198.18.0.100,198.18.0.101]" },
        new object[] { VrrpVersion.V3, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s, 100, version: VrrpVersion.V2, pass: "x")), VrrpMismatchField.Version, "3", "2" },
        new object[] { VrrpVersion.V3, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s, 100, ttl: 64)), VrrpMismatchField.Ttl, "255", "64" },
        new object[] { VrrpVersion.V2, new Func<VrrpInstanceSettings, ReceivedPacket>(s => Packet(s with { AuthPass = null }, 100)), VrrpMismatchField.AuthType, "Pass", "None" },
    ];

    [TestCaseSource(nameof(Mismatches))]
    public void Receive_ReportsAndDrops_Mismatch(VrrpVersion version, Func<VrrpInstanceSettings, ReceivedPacket> packet, VrrpMismatchField field, string expected, string received)
    {
        var settings = Settings(version: version);
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        var actions = machine.Receive(packet(settings), Ms(500));

        Assert.That(actions.OfType<MismatchDetected>().Single().Mismatch, Is.EqualTo(new VrrpMismatch("VI_1", Peer, field, expected, received, true)));
        Assert.That(machine.Counters.Dropped, Is.EqualTo(1));
    }

    [Test]
    public void Receive_RateLimitsMismatchReports_PerPeerAndField()
    {
        var settings = Settings(version: VrrpVersion.V2);
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);
        var reports = 0;

        for (var t = 0; t < 25; t++)
        {
            reports += machine.Receive(Packet(settings, 100, pass: "other"), TimeSpan.FromSeconds(t)).OfType<MismatchDetected>().Count();
        }

        Assert.That(reports, Is.EqualTo(3));
    }

    [Test]
    public void Receive_DropsSilently_OtherVridAndOwnPackets()
    {
        var settings = Settings();
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);
        var other = Packet(settings with { VirtualRouterId = 52, VirtualAddresses = [IPAddress.Parse("198.18.0.101")] }, 100);

        var otherActions = machine.Receive(other, Ms(500));
        var ownActions = machine.Receive(Packet(settings, 100, Self), Ms(500));

        Assert.That(otherActions.Concat(ownActions), Is.Empty);
        Assert.That(machine.NextDeadline, Is.EqualTo(Ms(3648.4375)));
    }

    [Test]
    public void Receive_RejectsUnknownSource_InUnicastMode()
    {
        var settings = Settings() with { UnicastPeers = [HigherPeer] };
        var machine = new VrrpStateMachine(settings, Self);
        machine.Start(TimeSpan.Zero);

        var actions = machine.Receive(Packet(settings, 100, Peer), Ms(500));

        Assert.That(actions.OfType<MismatchDetected>().Single().Mismatch.Field, Is.EqualTo(VrrpMismatchField.UnicastSource));
    }

    [Test]
    public void Constructor_Throws_ListingEveryInvalidSetting()
    {
        var settings = Settings(version: VrrpVersion.V2, intervalCs: 50) with { VirtualAddresses = [IPAddress.Parse("2001:db8::1")] };

        Assert.That(() => new VrrpStateMachine(settings, Self), Throws.ArgumentException.With.Message.Contains("advert_int").And.Message.Contains("IPv6"));
    }
}
