using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterManager.Agents.IpAddr;

/// <summary>
/// The native IPaddr2's parameters, with the heartbeat agent's names and defaults (except <c>run_arping</c>,
/// which defaults to true here: a start refuses an address another host already answers for).
/// </summary>
internal sealed record IpAddr2Parameters(
    IPAddress Address,
    int? PrefixLength,
    string? Nic,
    string? Broadcast,
    string? Label,
    int ArpCount,
    TimeSpan ArpInterval,
    bool ArpInBackground,
    bool RunArping,
    string? NetworkNamespace,
    string? PreferredLifetime,
    bool NoDad,
    bool NoPrefixRoute)
{
    public bool IsIpv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Parses the request's parameters; returns the problem as text when they are invalid.</summary>
    public static (IpAddr2Parameters? Parameters, string? Error) Parse(IReadOnlyDictionary<string, string> p)
    {
        string? Get(string name) => p.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

        if (Get("ip") is not { } ipText)
        {
            return (null, "IP address (the ip parameter) is mandatory");
        }

        if (!IPAddress.TryParse(ipText, out var address) || ipText.Contains('/'))
        {
            return (null, $"ip '{ipText}' is not an IPv4 or IPv6 address");
        }

        int? prefix = null;
        if (Get("cidr_netmask") is { } mask)
        {
            var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (int.TryParse(mask, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits >= 0 && bits <= max)
            {
                prefix = bits;
            }
            else if (max == 32 && IPAddress.TryParse(mask, out var dotted) && ToPrefix(dotted) is { } fromDotted)
            {
                prefix = fromDotted;
            }
            else
            {
                return (null, $"cidr_netmask '{mask}' is not a prefix length (0-{max}) or IPv4 netmask");
            }
        }

        if (!TryInt(Get("arp_count"), 5, 0, 1000, out var arpCount))
        {
            return (null, $"arp_count '{Get("arp_count")}' is not a number of packets (0-1000)");
        }

        if (!TryInt(Get("arp_interval"), 200, 1, 60000, out var arpInterval))
        {
            return (null, $"arp_interval '{Get("arp_interval")}' is not a number of milliseconds (1-60000)");
        }

        var label = Get("iflabel");
        if (label is not null && (label.Length > 15 || label.Any(char.IsWhiteSpace)))
        {
            return (null, $"iflabel '{label}' is too long or contains whitespace");
        }

        return (new IpAddr2Parameters(
            address, prefix, Get("nic"), Get("broadcast"), label, arpCount, TimeSpan.FromMilliseconds(arpInterval),
            IsTrue(Get("arp_bg") ?? "true"), IsTrue(Get("run_arping") ?? "true"), Get("network_namespace"),
            Get("preferred_lft"), IsTrue(Get("nodad") ?? "false"), IsTrue(Get("noprefixroute") ?? "false")), null);
    }

    private static bool IsTrue(string value) => value.ToLowerInvariant() is "1" or "true" or "yes" or "on" or "y";

    private static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return text is null
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    private static int? ToPrefix(IPAddress mask)
    {
        var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mask.GetAddressBytes());
        var prefix = System.Numerics.BitOperations.PopCount(bits);
        return bits == (prefix == 0 ? 0 : uint.MaxValue << (32 - prefix)) ? prefix : null;
    }
}
