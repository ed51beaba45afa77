using System.Net;
using System.Net.Sockets;
using ClusterManager.Vrrp.Packets;

namespace ClusterManager.Vrrp.Protocol;

/// <summary>
/// The protocol settings of one virtual router instance (keepalived's <c>vrrp_instance</c> minus the host concerns:
/// interface, scripts). Immutable; validate with <see cref="Validate"/> before use.
/// </summary>
public sealed record VrrpInstanceSettings
{
    /// <summary>Instance name used in logs and events (keepalived: <c>VI_1</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Virtual router id 1–255.</summary>
    public required byte VirtualRouterId { get; init; }

    /// <summary>Base priority 1–255 (255 = address owner, immediately master, never adjusted).</summary>
    public byte Priority { get; init; } = 100;

    /// <summary>Protocol version; IPv6 requires <see cref="VrrpVersion.V3"/>.</summary>
    public VrrpVersion Version { get; init; } = VrrpVersion.V3;

    /// <summary>Advertisement interval in centiseconds (v3: 1–4095; v2: whole seconds, 100–25500).</summary>
    public int AdvertIntervalCentiseconds { get; init; } = 100;

    /// <summary>Virtual addresses carried in adverts and held by the master (all one family).</summary>
    public required IReadOnlyList<IPAddress> VirtualAddresses { get; init; }

    /// <summary>VRRPv2 PASS password (first 8 characters used); null = no authentication.</summary>
    public string? AuthPass { get; init; }

    /// <summary>Whether a higher-priority backup takes over from a lower-priority master (keepalived default on).</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>Delay before preempting after startup or after seeing a lower-priority master.</summary>
    public TimeSpan PreemptDelay { get; init; }

    /// <summary>Master_Down_Interval = this × interval + skew (RFC: 3; keepalived <c>down_timer_adverts</c>).</summary>
    public int DownTimerAdverts { get; init; } = 3;

    /// <summary>Gratuitous ARPs / NAs sent at once on becoming master (keepalived <c>garp_master_repeat</c>, 5).</summary>
    public int GarpMasterRepeat { get; init; } = 5;

    /// <summary>Delay before the second burst (keepalived <c>garp_master_delay</c>, 5 s; zero = no second burst).</summary>
    public TimeSpan GarpMasterDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Unicast peers; empty = multicast.</summary>
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];

    /// <summary>Advertisement interval as a time span.</summary>
    public TimeSpan AdvertInterval => TimeSpan.FromMilliseconds(AdvertIntervalCentiseconds * 10.0);

    /// <summary>True for multicast mode.</summary>
    public bool IsMulticast => UnicastPeers.Count == 0;

    /// <summary>Authentication type this instance sends and expects.</summary>
    public VrrpAuthType AuthType => Version == VrrpVersion.V2 && AuthPass is not null ? VrrpAuthType.Pass : VrrpAuthType.None;

    /// <summary>Every problem with these settings, each naming the field; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name: must not be empty");
        }

        if (VirtualRouterId == 0)
        {
            errors.Add("vrid: must be 1–255");
        }

        if (Priority == 0)
        {
            errors.Add("priority: must be 1–255 (0 is reserved for resignation)");
        }

        if (Version == VrrpVersion.V2 && (AdvertIntervalCentiseconds % 100 != 0 || AdvertIntervalCentiseconds is < 100 or > 25500))
        {
            errors.Add($"advert_int: VRRPv2 needs whole seconds 1–255, got {AdvertIntervalCentiseconds / 100.0} s");
        }

        if (Version == VrrpVersion.V3 && AdvertIntervalCentiseconds is < 1 or > 4095)
        {
            errors.Add($"advert_int: VRRPv3 needs 0.01–40.95 s, got {AdvertIntervalCentiseconds / 100.0} s");
        }

        if (VirtualAddresses.Count is 0 or > 255)
        {
            errors.Add($"virtual_ipaddress: needs 1–255 addresses, got {VirtualAddresses.Count}");
        }
        else
        {
            var family = VirtualAddresses[0].AddressFamily;
            if (VirtualAddresses.Any(a => a.AddressFamily != family))
            {
                errors.Add("virtual_ipaddress: all addresses must be one family (IPv4 or IPv6)");
            }

            if (family == AddressFamily.InterNetworkV6 && Version != VrrpVersion.V3)
            {
                errors.Add("version: IPv6 virtual addresses need VRRPv3");
            }

            if (UnicastPeers.Any(p => p.AddressFamily != family))
            {
                errors.Add("unicast_peer: peers must be the same family as the virtual addresses");
            }
        }

        if (AuthPass is not null && Version == VrrpVersion.V3)
        {
            errors.Add("authentication: VRRPv3 has no authentication");
        }

        if (AuthPass is { Length: 0 })
        {
            errors.Add("auth_pass: must not be empty");
        }

        if (DownTimerAdverts is < 1 or > 100)
        {
            errors.Add($"down_timer_adverts: must be 1–100, got {DownTimerAdverts}");
        }

        if (GarpMasterRepeat < 0 || GarpMasterDelay < TimeSpan.Zero || PreemptDelay < TimeSpan.Zero)
        {
            errors.Add("garp_master_repeat / garp_master_delay / preempt_delay: must not be negative");
        }

        return errors;
    }
}
