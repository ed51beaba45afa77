using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ClusterManager.Vrrp.Packets;

/// <summary>Why a VRRP message could not be decoded.</summary>
public enum VrrpDecodeError
{
    None = 0,
    TooShort,
    UnsupportedVersion,
    UnknownType,
    LengthMismatch,
    BadChecksum,
}

/// <summary>Outcome of <see cref="VrrpCodec.Decode"/>: the advertisement or the reason it was rejected.</summary>
/// <param name="Advertisement">The decoded advertisement, or null on error.</param>
/// <param name="Error">The decode error, <see cref="VrrpDecodeError.None"/> on success.</param>
/// <param name="Detail">A human-readable detail for the log.</param>
/// <param name="LegacyChecksum">True when a VRRPv3/IPv4 checksum only matched without the pseudo-header (Cisco style).</param>
public sealed record VrrpDecodeResult(VrrpAdvertisement? Advertisement, VrrpDecodeError Error, string Detail, bool LegacyChecksum = false)
{
    public bool Success => Error == VrrpDecodeError.None;
}

/// <summary>
/// Encodes and decodes the VRRP message (the IP payload). VRRPv2 checksums cover the message only; VRRPv3 checksums
/// include the IPv4/IPv6 pseudo-header (RFC 5798 §5.2.8, RFC 9568), so source and destination addresses are inputs.
/// </summary>
public static class VrrpCodec
{
    /// <summary>IP protocol number of VRRP.</summary>
    public const byte IpProtocol = 112;

    /// <summary>Length of a VRRP message with <paramref name="count"/> addresses.</summary>
    public static int MessageLength(VrrpVersion version, AddressFamily family, int count) =>
        8 + (count * (family == AddressFamily.InterNetworkV6 ? 16 : 4)) + (version == VrrpVersion.V2 ? VrrpAdvertisement.AuthDataLength : 0);

    /// <summary>Encodes <paramref name="advert"/> with its checksum. Throws <see cref="ArgumentException"/> on invalid input.</summary>
    public static byte[] Encode(VrrpAdvertisement advert, IPAddress source, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(advert);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (advert.Addresses.Count is 0 or > 255)
        {
            throw new ArgumentException($"a VRRP advertisement carries 1–255 addresses, got {advert.Addresses.Count}", nameof(advert));
        }

        var family = advert.Addresses[0].AddressFamily;
        if (advert.Addresses.Any(a => a.AddressFamily != family))
        {
            throw new ArgumentException("all virtual addresses of one advertisement must be of one address family", nameof(advert));
        }

        if (advert.Version == VrrpVersion.V2 && family != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("VRRPv2 is IPv4 only", nameof(advert));
        }

        var buffer = new byte[MessageLength(advert.Version, family, advert.Addresses.Count)];
        buffer[0] = (byte)(((int)advert.Version << 4) | 1);
        buffer[1] = advert.VirtualRouterId;
        buffer[2] = advert.Priority;
        buffer[3] = (byte)advert.Addresses.Count;
        if (advert.Version == VrrpVersion.V2)
        {
            if (advert.AdvertIntervalCentiseconds % 100 != 0 || advert.AdvertIntervalCentiseconds is < 100 or > 25500)
            {
                throw new ArgumentException($"VRRPv2 interval must be whole seconds 1–255, got {advert.AdvertIntervalCentiseconds} cs", nameof(advert));
            }

            buffer[4] = (byte)advert.AuthType;
            buffer[5] = (byte)(advert.AdvertIntervalCentiseconds / 100);
        }
        else
        {
            if (advert.AdvertIntervalCentiseconds is < 1 or > 4095)
            {
                throw new ArgumentException($"VRRPv3 interval must be 1–4095 centiseconds, got {advert.AdvertIntervalCentiseconds}", nameof(advert));
            }

            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), (ushort)advert.AdvertIntervalCentiseconds);
        }

        var offset = 8;
        foreach (var address in advert.Addresses)
        {
            address.TryWriteBytes(buffer.AsSpan(offset), out var written);
            offset += written;
        }

        if (advert.Version == VrrpVersion.V2)
        {
            advert.AuthData.Span[..Math.Min(advert.AuthData.Length, VrrpAdvertisement.AuthDataLength)].CopyTo(buffer.AsSpan(offset));
        }

        var checksum = advert.Version == VrrpVersion.V2
            ? InternetChecksum.Compute(buffer)
            : InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, buffer.Length), buffer));
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(6), checksum);
        return buffer;
    }

    /// <summary>
    /// Decodes a VRRP message received from <paramref name="source"/> to <paramref name="destination"/> and verifies
    /// length, version, type and checksum. VRRPv3/IPv4 messages whose checksum only matches without the pseudo-header
    /// are accepted and flagged <see cref="VrrpDecodeResult.LegacyChecksum"/>; unicast messages checksummed against
    /// 224.0.0.18 (keepalived ≤ 1.3.5) are accepted too.
    /// </summary>
    public static VrrpDecodeResult Decode(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (message.Length < 8)
        {
            return Fail(VrrpDecodeError.TooShort, $"{message.Length} bytes is shorter than a VRRP header");
        }

        var versionNumber = message[0] >> 4;
        if (versionNumber is not (2 or 3))
        {
            return Fail(VrrpDecodeError.UnsupportedVersion, $"version {versionNumber}");
        }

        var version = (VrrpVersion)versionNumber;
        if ((message[0] & 0x0F) != 1)
        {
            return Fail(VrrpDecodeError.UnknownType, $"type {message[0] & 0x0F}");
        }

        var family = source.AddressFamily;
        var count = message[3];
        var expected = MessageLength(version, family, count);
        if (message.Length != expected)
        {
            return Fail(VrrpDecodeError.LengthMismatch, $"length {message.Length}, {count} addresses need {expected}");
        }

        var legacy = false;
        if (version == VrrpVersion.V2)
        {
            if (InternetChecksum.Compute(message) != 0)
            {
                return Fail(VrrpDecodeError.BadChecksum, "VRRPv2 checksum");
            }
        }
        else if (InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, message.Length), message)) != 0)
        {
            var oldUnicast = family == AddressFamily.InterNetwork
                && InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, VrrpAddresses.MulticastV4, message.Length), message)) == 0;
            legacy = family == AddressFamily.InterNetwork && InternetChecksum.Compute(message) == 0;
            if (!oldUnicast && !legacy)
            {
                return Fail(VrrpDecodeError.BadChecksum, "VRRPv3 checksum (with pseudo-header)");
            }
        }

        var addressLength = family == AddressFamily.InterNetworkV6 ? 16 : 4;
        var addresses = new IPAddress[count];
        for (var i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(message.Slice(8 + (i * addressLength), addressLength));
        }

        int interval;
        var authType = VrrpAuthType.None;
        ReadOnlyMemory<byte> authData = ReadOnlyMemory<byte>.Empty;
        if (version == VrrpVersion.V2)
        {
            authType = (VrrpAuthType)message[4];
            interval = message[5] * 100;
            authData = message.Slice(8 + (count * addressLength), VrrpAdvertisement.AuthDataLength).ToArray();
        }
        else
        {
            interval = BinaryPrimitives.ReadUInt16BigEndian(message[4..]) & 0x0FFF;
        }

        var advert = new VrrpAdvertisement(version, message[1], message[2], interval, addresses, authType, authData);
        return new VrrpDecodeResult(advert, VrrpDecodeError.None, string.Empty, legacy);
    }

    private static VrrpDecodeResult Fail(VrrpDecodeError error, string detail) => new(null, error, detail);

    private static uint PseudoHeaderSum(IPAddress source, IPAddress destination, int length)
    {
        Span<byte> bytes = stackalloc byte[16];
        source.TryWriteBytes(bytes, out var n);
        var sum = InternetChecksum.Add(0, bytes[..n]);
        destination.TryWriteBytes(bytes, out n);
        sum = InternetChecksum.Add(sum, bytes[..n]);
        // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, three zero bytes, next header. Both sum the same.
        return sum + IpProtocol + (uint)length;
    }
}
