using System.Buffers.Binary;
using System.Net;
using ClusterManager.Vrrp.Packets;
using ClusterManager.Vrrp.Protocol;

namespace ClusterManager.Vrrp.Tests.Packets;

public class VrrpCodecTests
{
    private static readonly IPAddress Node1 = IPAddress.Parse("198.18.0.11");
    private static readonly IPAddress Node2 = IPAddress.Parse("198.18.0.12");
    private static readonly byte[] Node1Mac = [0x02, 0x00, 0xc6, 0x12, 0x00, 0x11];
    private static readonly byte[] Node2Mac = [0x02, 0x00, 0xc6, 0x12, 0x00, 0x12];

    /// <summary>The keepalived captures: file, version, interval (cs), password, VIP count, unicast, vmac, garp repeat.</summary>
    private static readonly object[] Vectors =
    [
        new object?[] { "vec-v2-pass.pcap", VrrpVersion.V2, 100, "kvpass12", 1, false, false, 5 },
        new object?[] { "vec-v2-noauth.pcap", VrrpVersion.V2, 100, null, 1, false, false, 5 },
        new object?[] { "vec-v2-unicast.pcap", VrrpVersion.V2, 100, "kvpass12", 1, true, false, 5 },
        new object?[] { "vec-v2-vmac.pcap", VrrpVersion.V2, 100, "kvpass12", 1, false, true, 5 },
        new object?[] { "vec-v2-mingarp.pcap", VrrpVersion.V2, 100, "kvpass12", 1, false, false, 1 },
        new object?[] { "vec-v3-a1.pcap", VrrpVersion.V3, 100, null, 1, false, false, 5 },
        new object?[] { "vec-v3-a0.1.pcap", VrrpVersion.V3, 10, null, 1, false, false, 5 },
        new object?[] { "vec-v3-2vips.pcap", VrrpVersion.V3, 100, null, 2, false, false, 5 },
        new object?[] { "vec-v3-unicast.pcap", VrrpVersion.V3, 100, null, 1, true, false, 5 },
    ];

    [TestCaseSource(nameof(Vectors))]
    public void Decode_AcceptsEveryKeepalivedAdvert_InCapture(string file, VrrpVersion version, int intervalCs, string? pass, int vipCount, bool unicast, bool vmac, int garps)
    {
        var adverts = VrrpFrames(file);

        Assert.That(adverts, Is.Not.Empty);
        foreach (var (ip, message) in adverts)
        {
            var result = VrrpCodec.Decode(message, ip.Source, ip.Destination);
            Assert.That(result.Success, Is.True, result.Detail);
            Assert.That(ip.HeaderChecksumValid && ip.Ttl == 255, Is.True);
            var advert = result.Advertisement!;
            Assert.That(advert.Version, Is.EqualTo(version));
            Assert.That(advert.VirtualRouterId, Is.EqualTo(51));
            Assert.That(advert.Priority, Is.EqualTo(100).Or.EqualTo(0));
            Assert.That(advert.AdvertIntervalCentiseconds, Is.EqualTo(intervalCs));
            Assert.That(advert.Addresses, Is.EqualTo(Settings(file, version, intervalCs, pass, vipCount, unicast, garps).VirtualAddresses));
            Assert.That(advert.AuthType, Is.EqualTo(pass is null ? VrrpAuthType.None : VrrpAuthType.Pass));
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void Encode_IsByteIdenticalToKeepalived_ForSameSettings(string file, VrrpVersion version, int intervalCs, string? pass, int vipCount, bool unicast, bool vmac, int garps)
    {
        var settings = Settings(file, version, intervalCs, pass, vipCount, unicast, garps);
        var machine = new VrrpStateMachine(settings, Node1);
        machine.Start(TimeSpan.Zero);
        var becomeMaster = machine.Tick(machine.NextDeadline!.Value);
        var periodic = becomeMaster.OfType<SendAdvertisement>().Single().Advertisement;
        var resign = machine.Stop(TimeSpan.FromSeconds(10)).OfType<SendAdvertisement>().Single().Advertisement;
        var sourceMac = vmac ? VrrpAddresses.VirtualMac(51) : Node1Mac;
        var destination = unicast ? Node2 : VrrpAddresses.MulticastV4;
        var destinationMac = unicast ? Node2Mac : VrrpAddresses.MulticastMac(VrrpAddresses.MulticastV4);
        var captured = PcapReader.Read(PcapReader.VectorPath(file)).Select(f => f.Frame).Where(f => IsVrrp(f) && f[6..12].SequenceEqual(sourceMac)).ToList();

        Assert.That(captured, Has.Count.GreaterThanOrEqualTo(3));
        for (var i = 0; i < captured.Count; i++)
        {
            var advert = i == captured.Count - 1 ? resign : periodic;
            var ours = Frames.Ethernet(destinationMac, sourceMac, 0x0800, Frames.Ipv4Packet(Node1, destination, (ushort)(i + 1), VrrpCodec.IpProtocol, VrrpCodec.Encode(advert, Node1, destination)));
            Assert.That(ours, Is.EqualTo(captured[i]), $"advert #{i + 1} (priority {advert.Priority})");
        }
    }

    [TestCaseSource(nameof(Vectors))]
    public void GratuitousArp_MatchesKeepalivedBurst_OnBecomingMaster(string file, VrrpVersion version, int intervalCs, string? pass, int vipCount, bool unicast, bool vmac, int garps)
    {
        var settings = Settings(file, version, intervalCs, pass, vipCount, unicast, garps);
        var machine = new VrrpStateMachine(settings, Node1);
        machine.Start(TimeSpan.Zero);
        var garp = machine.Tick(machine.NextDeadline!.Value).OfType<SendGratuitous>().Single();
        var sourceMac = vmac ? VrrpAddresses.VirtualMac(51) : Node1Mac;
        var ours = Enumerable.Range(0, garp.Count).SelectMany(_ => garp.Addresses.Select(a => Frames.GratuitousArp(sourceMac, a))).ToList();
        var frames = PcapReader.Read(PcapReader.VectorPath(file)).Select(f => f.Frame).ToList();
        var first = frames.FindIndex(IsVrrp);
        var burst = frames.Skip(first + 1).TakeWhile(f => f[12] == 0x08 && f[13] == 0x06 && f[0] == 0xff).ToList();

        Assert.That(ours, Is.EqualTo(burst));
    }

    [TestCase("21336401010132d6c61200646b76706173733132", "198.18.0.11", "224.0.0.18", TestName = "Decode_Succeeds_V2PassFromReferenceNote")]
    [TestCase("313364010064fd43c6120064", "198.18.0.11", "224.0.0.18", TestName = "Decode_Succeeds_V3MulticastFromReferenceNote")]
    [TestCase("3133640100641738c6120064", "198.18.0.11", "198.18.0.12", TestName = "Decode_Succeeds_V3UnicastPseudoHeaderUsesPeer")]
    public void Decode_Succeeds_ForReferenceBytes(string hex, string source, string destination)
    {
        var result = VrrpCodec.Decode(Convert.FromHexString(hex), IPAddress.Parse(source), IPAddress.Parse(destination));

        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.LegacyChecksum, Is.False);
    }

    [Test]
    public void Decode_FlagsLegacyChecksum_WhenV3ChecksumOmitsPseudoHeader()
    {
        var result = VrrpCodec.Decode(Convert.FromHexString("313364010064a3f0c6120064"), Node1, VrrpAddresses.MulticastV4);

        Assert.That(result.Success, Is.True);
        Assert.That(result.LegacyChecksum, Is.True);
    }

    [TestCase("21336401010132d7c61200646b76706173733132", VrrpDecodeError.BadChecksum)]
    [TestCase("313364010064fd44c6120064", VrrpDecodeError.BadChecksum)]
    [TestCase("313364020064fd43c6120064", VrrpDecodeError.LengthMismatch)]
    [TestCase("323364010064fd43c6120064", VrrpDecodeError.UnknownType)]
    [TestCase("413364010064fd43c6120064", VrrpDecodeError.UnsupportedVersion)]
    [TestCase("3133640100", VrrpDecodeError.TooShort)]
    public void Decode_ReportsError_ForDamagedMessage(string hex, VrrpDecodeError expected)
    {
        var result = VrrpCodec.Decode(Convert.FromHexString(hex), Node1, VrrpAddresses.MulticastV4);

        Assert.That(result.Error, Is.EqualTo(expected));
    }

    [Test]
    public void Encode_RoundTrips_V3OverIpv6WithPseudoHeader()
    {
        var source = IPAddress.Parse("fe80::1");
        var advert = new VrrpAdvertisement(VrrpVersion.V3, 7, 200, 25, [IPAddress.Parse("2001:db8::7"), IPAddress.Parse("fe80::7")], VrrpAuthType.None, ReadOnlyMemory<byte>.Empty);

        var bytes = VrrpCodec.Encode(advert, source, VrrpAddresses.MulticastV6);
        var decoded = VrrpCodec.Decode(bytes, source, VrrpAddresses.MulticastV6);
        var withWrongSource = VrrpCodec.Decode(bytes, IPAddress.Parse("fe80::2"), VrrpAddresses.MulticastV6);

        Assert.That(bytes, Has.Length.EqualTo(8 + 32));
        Assert.That(decoded.Advertisement, Is.EqualTo(advert));
        Assert.That(withWrongSource.Error, Is.EqualTo(VrrpDecodeError.BadChecksum));
    }

    [TestCase(VrrpVersion.V2, 50, TestName = "Encode_Throws_V2HalfSecond")]
    [TestCase(VrrpVersion.V3, 4096, TestName = "Encode_Throws_V3IntervalAbove4095")]
    [TestCase(VrrpVersion.V3, 0, TestName = "Encode_Throws_V3ZeroInterval")]
    public void Encode_Throws_ForIntervalOutOfRange(VrrpVersion version, int intervalCs)
    {
        var advert = new VrrpAdvertisement(version, 1, 100, intervalCs, [Node1], VrrpAuthType.None, new byte[8]);

        Assert.That(() => VrrpCodec.Encode(advert, Node1, VrrpAddresses.MulticastV4), Throws.ArgumentException.With.Message.Contains("interval"));
    }

    [Test]
    public void UnsolicitedNeighborAdvertisement_HasValidIcmpv6Checksum()
    {
        var source = IPAddress.Parse("fe80::1");
        var na = Frames.UnsolicitedNeighborAdvertisement(Node1Mac, IPAddress.Parse("2001:db8::7"), source);
        var pseudo = new byte[40];
        source.TryWriteBytes(pseudo, out _);
        IPAddress.Parse("ff02::1").TryWriteBytes(pseudo.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)na.Length);
        pseudo[39] = 58;

        Assert.That(InternetChecksum.Finish(InternetChecksum.Add(InternetChecksum.Add(0, pseudo), na)), Is.Zero);
        Assert.That(na[0], Is.EqualTo(136));
        Assert.That(na[4], Is.EqualTo(0x20));
    }

    internal static VrrpInstanceSettings Settings(string file, VrrpVersion version, int intervalCs, string? pass, int vipCount, bool unicast, int garps) => new()
    {
        Name = file,
        VirtualRouterId = 51,
        Priority = 100,
        Version = version,
        AdvertIntervalCentiseconds = intervalCs,
        VirtualAddresses = Enumerable.Range(0, vipCount).Select(i => IPAddress.Parse($"198.18.0.{100 + i}")).ToList(),
        AuthPass = pass,
        UnicastPeers = unicast ? [Node2] : [],
        GarpMasterRepeat = garps,
        GarpMasterDelay = garps == 1 ? TimeSpan.Zero : TimeSpan.FromSeconds(5),
    };

    private static List<(Ipv4Header Header, byte[] Message)> VrrpFrames(string file) =>
        PcapReader.Read(PcapReader.VectorPath(file))
            .Select(f => f.Frame)
            .Where(IsVrrp)
            .Select(f =>
            {
                var header = Frames.ParseIpv4(f.AsSpan(14))!;
                return (header, f.AsSpan(14 + header.HeaderLength, header.TotalLength - header.HeaderLength).ToArray());
            })
            .ToList();

    private static bool IsVrrp(byte[] frame) => frame.Length > 34 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == VrrpCodec.IpProtocol;
}
