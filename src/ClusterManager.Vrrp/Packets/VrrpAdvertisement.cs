using System.Net;

namespace ClusterManager.Vrrp.Packets;

/// <summary>VRRP protocol version: 2 (RFC 3768, IPv4 only, whole seconds) or 3 (RFC 5798, centiseconds).</summary>
public enum VrrpVersion
{
    V2 = 2,
    V3 = 3,
}

/// <summary>VRRPv2 authentication type (RFC 2338/3768 field; VRRPv3 has none).</summary>
public enum VrrpAuthType
{
    None = 0,

    /// <summary>Simple text password, 8 bytes, NUL padded (keepalived <c>auth_type PASS</c>).</summary>
    Pass = 1,

    /// <summary>IPsec AH (deprecated; decoded but not supported for sending).</summary>
    Ah = 2,
}

/// <summary>
/// One VRRP advertisement (type 1, the only type defined). For VRRPv2 the interval is whole seconds on the wire and is
/// kept here in centiseconds (seconds × 100) so both versions share one unit.
/// </summary>
/// <param name="Version">Protocol version.</param>
/// <param name="VirtualRouterId">VRID 1–255.</param>
/// <param name="Priority">0 = master is stopping, 1–254 backup, 255 = address owner.</param>
/// <param name="AdvertIntervalCentiseconds">Advertisement interval in centiseconds (v3: 1–4095; v2: 100–25500 in steps of 100).</param>
/// <param name="Addresses">Virtual addresses, all of one family.</param>
/// <param name="AuthType">VRRPv2 only; <see cref="VrrpAuthType.None"/> for v3.</param>
/// <param name="AuthData">VRRPv2 only: the 8 authentication bytes (empty for v3).</param>
public sealed record VrrpAdvertisement(
    VrrpVersion Version,
    byte VirtualRouterId,
    byte Priority,
    int AdvertIntervalCentiseconds,
    IReadOnlyList<IPAddress> Addresses,
    VrrpAuthType AuthType,
    ReadOnlyMemory<byte> AuthData)
{
    /// <summary>Length of the VRRPv2 authentication data in bytes.</summary>
    public const int AuthDataLength = 8;

    /// <summary>The advertisement interval as a time span.</summary>
    public TimeSpan AdvertInterval => TimeSpan.FromMilliseconds(AdvertIntervalCentiseconds * 10.0);

    /// <summary>Builds the 8 authentication bytes keepalived uses for a PASS password (first 8 characters, NUL padded).</summary>
    public static byte[] PasswordBytes(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var bytes = new byte[AuthDataLength];
        var raw = System.Text.Encoding.ASCII.GetBytes(password);
        Array.Copy(raw, bytes, Math.Min(raw.Length, AuthDataLength));
        return bytes;
    }

    /// <summary>Equality by value, comparing address lists and authentication bytes element by element.</summary>
    public bool Equals(VrrpAdvertisement? other) =>
        other is not null && Version == other.Version && VirtualRouterId == other.VirtualRouterId
        && Priority == other.Priority && AdvertIntervalCentiseconds == other.AdvertIntervalCentiseconds
        && AuthType == other.AuthType && Addresses.SequenceEqual(other.Addresses)
        && AuthData.Span.SequenceEqual(other.AuthData.Span);

    public override int GetHashCode() => HashCode.Combine(Version, VirtualRouterId, Priority, AdvertIntervalCentiseconds, Addresses.Count);
}
