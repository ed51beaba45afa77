using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterManager.Vrrp.Packets;
using ClusterManager.Vrrp.Protocol;

namespace ClusterManager.Vrrp.Configuration;

/// <summary>
/// The configuration file of the VRRP host (<c>cm-vrrpd</c>): JSON, names close to keepalived's <c>vrrp_instance</c>.
/// Load with <see cref="Parse"/>; unknown properties are errors so typos do not pass silently.
/// </summary>
public sealed record VrrpHostConfig
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Directory where the host writes <c>&lt;instance&gt;.state</c> files (MASTER/BACKUP/FAULT/STOP); null = none.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Health checks referenced by instances (keepalived <c>vrrp_script</c>).</summary>
    public IReadOnlyList<VrrpTrackScriptConfig> Scripts { get; init; } = [];

    /// <summary>The virtual router instances.</summary>
    public IReadOnlyList<VrrpInstanceConfig> Instances { get; init; } = [];

    /// <summary>Parses JSON; a <see cref="VrrpConfigResult"/> with the config or the errors (each naming the field).</summary>
    public static VrrpConfigResult Parse(string json)
    {
        VrrpHostConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<VrrpHostConfig>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            return new VrrpConfigResult(null, [$"config: {ex.Message}"]);
        }

        if (config is null)
        {
            return new VrrpConfigResult(null, ["config: empty document"]);
        }

        var errors = config.Validate();
        return new VrrpConfigResult(errors.Count == 0 ? config : null, errors);
    }

    /// <summary>Serialises to the JSON <see cref="Parse"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Every problem in this configuration; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Instances.Count == 0)
        {
            errors.Add("instances: at least one instance is needed");
        }

        foreach (var duplicate in Instances.GroupBy(i => i.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"instances: name '{duplicate.Key}' is used more than once");
        }

        foreach (var instance in Instances)
        {
            errors.AddRange(instance.Validate().Select(e => $"instance '{instance.Name}': {e}"));
            foreach (var track in instance.TrackScripts.Where(t => Scripts.All(s => s.Name != t)))
            {
                errors.Add($"instance '{instance.Name}': track_script '{track}' is not defined in scripts");
            }
        }

        foreach (var script in Scripts)
        {
            errors.AddRange(script.Validate().Select(e => $"script '{script.Name}': {e}"));
        }

        return errors;
    }
}

/// <summary>Result of parsing a configuration: the config, or the errors.</summary>
public sealed record VrrpConfigResult(VrrpHostConfig? Config, IReadOnlyList<string> Errors)
{
    public bool Success => Config is not null;
}

/// <summary>One <c>vrrp_instance</c>.</summary>
public sealed record VrrpInstanceConfig
{
    public string Name { get; init; } = "VI_1";

    /// <summary>Interface the instance runs on (keepalived <c>interface</c>).</summary>
    public string Interface { get; init; } = "eth0";

    /// <summary>keepalived <c>virtual_router_id</c>.</summary>
    public int Vrid { get; init; }

    public int Priority { get; init; } = 100;

    /// <summary>Seconds; v3 in 0.01 steps (0.01–40.95), v2 whole seconds.</summary>
    public double AdvertInt { get; init; } = 1;

    /// <summary>2 or 3 (keepalived <c>version</c> / <c>vrrp_version</c>; default 3 here).</summary>
    public int Version { get; init; } = 3;

    /// <summary>Addresses with optional prefix (<c>198.18.0.100/24</c>; default /32 or /128 as keepalived).</summary>
    public IReadOnlyList<string> VirtualAddresses { get; init; } = [];

    public string? UnicastSrcIp { get; init; }

    public IReadOnlyList<string> UnicastPeers { get; init; } = [];

    /// <summary>VRRPv2 <c>auth_type PASS</c> password; null = none.</summary>
    public string? AuthPass { get; init; }

    public bool Preempt { get; init; } = true;

    /// <summary>
    /// keepalived <c>use_vmac</c>: a macvlan <c>vrrp.&lt;vrid&gt;</c> with MAC 00:00:5e:00:01:&lt;vrid&gt; carries the
    /// virtual addresses, the adverts and the gratuitous ARPs (multicast mode only).
    /// </summary>
    public bool UseVmac { get; init; }

    /// <summary>Seconds.</summary>
    public double PreemptDelay { get; init; }

    public int DownTimerAdverts { get; init; } = 3;

    /// <summary>Seconds.</summary>
    public double GarpMasterDelay { get; init; } = 5;

    public int GarpMasterRepeat { get; init; } = 5;

    /// <summary>Interfaces whose loss of carrier puts the instance in FAULT.</summary>
    public IReadOnlyList<string> TrackInterfaces { get; init; } = [];

    /// <summary>Names of <see cref="VrrpHostConfig.Scripts"/> entries.</summary>
    public IReadOnlyList<string> TrackScripts { get; init; } = [];

    public string? NotifyMaster { get; init; }

    public string? NotifyBackup { get; init; }

    public string? NotifyFault { get; init; }

    public string? NotifyStop { get; init; }

    /// <summary>Generic notify: called with <c>INSTANCE name STATE priority</c> appended (keepalived).</summary>
    public string? Notify { get; init; }

    /// <summary>The virtual addresses with prefix lengths, parsed; throws <see cref="FormatException"/> on bad input (Validate first).</summary>
    public IReadOnlyList<(IPAddress Address, int PrefixLength)> ParsedAddresses() =>
        VirtualAddresses.Select(ParseAddressWithPrefix).ToList();

    /// <summary>Protocol settings for <see cref="VrrpStateMachine"/>.</summary>
    public VrrpInstanceSettings ToSettings() => new()
    {
        Name = Name,
        VirtualRouterId = (byte)Vrid,
        Priority = (byte)Priority,
        Version = Version == 2 ? VrrpVersion.V2 : VrrpVersion.V3,
        AdvertIntervalCentiseconds = (int)Math.Round(AdvertInt * 100),
        VirtualAddresses = ParsedAddresses().Select(a => a.Address).ToList(),
        AuthPass = AuthPass,
        Preempt = Preempt,
        PreemptDelay = TimeSpan.FromSeconds(PreemptDelay),
        DownTimerAdverts = DownTimerAdverts,
        GarpMasterDelay = TimeSpan.FromSeconds(GarpMasterDelay),
        GarpMasterRepeat = GarpMasterRepeat,
        UnicastPeers = UnicastPeers.Select(IPAddress.Parse).ToList(),
    };

    /// <summary>Every problem in this instance; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Vrid is < 1 or > 255)
        {
            errors.Add($"vrid: must be 1–255, got {Vrid}");
        }

        if (Priority is < 1 or > 255)
        {
            errors.Add($"priority: must be 1–255, got {Priority}");
        }

        if (Version is not (2 or 3))
        {
            errors.Add($"version: must be 2 or 3, got {Version}");
        }

        if (string.IsNullOrWhiteSpace(Interface))
        {
            errors.Add("interface: must not be empty");
        }

        foreach (var address in VirtualAddresses)
        {
            if (!TryParseAddressWithPrefix(address, out _))
            {
                errors.Add($"virtualAddresses: '{address}' is not an IP address with optional /prefix");
            }
        }

        foreach (var peer in UnicastPeers.Where(p => !IPAddress.TryParse(p, out _)))
        {
            errors.Add($"unicastPeers: '{peer}' is not an IP address");
        }

        if (UseVmac && UnicastPeers.Count > 0)
        {
            errors.Add("useVmac: only supported in multicast mode (no unicastPeers)");
        }

        if (UnicastSrcIp is not null && !IPAddress.TryParse(UnicastSrcIp, out _))
        {
            errors.Add($"unicastSrcIp: '{UnicastSrcIp}' is not an IP address");
        }

        if (Version == 3 && Math.Abs((AdvertInt * 100) - Math.Round(AdvertInt * 100)) > 1e-6)
        {
            errors.Add($"advertInt: VRRPv3 intervals are whole centiseconds, got {AdvertInt.ToString(CultureInfo.InvariantCulture)}");
        }

        if (errors.Count == 0 && Vrid is >= 1 and <= 255 && Priority is >= 1 and <= 255)
        {
            errors.AddRange(ToSettings().Validate());
        }

        return errors;
    }

    private static (IPAddress Address, int PrefixLength) ParseAddressWithPrefix(string text) =>
        TryParseAddressWithPrefix(text, out var result) ? result : throw new FormatException($"'{text}' is not an IP address with optional /prefix");

    private static bool TryParseAddressWithPrefix(string text, out (IPAddress Address, int PrefixLength) result)
    {
        result = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        result = (address, prefix);
        return true;
    }
}

/// <summary>One health check (keepalived <c>vrrp_script</c>).</summary>
public sealed record VrrpTrackScriptConfig
{
    public string Name { get; init; } = string.Empty;

    /// <summary>Command line, run with <c>/bin/sh -c</c>.</summary>
    public string Script { get; init; } = string.Empty;

    /// <summary>Seconds between runs.</summary>
    public double Interval { get; init; } = 1;

    /// <summary>Seconds before a run counts as failed; 0 = the interval.</summary>
    public double Timeout { get; init; }

    /// <summary>Priority change while failing (−253..253; 0 = failure means FAULT).</summary>
    public int Weight { get; init; }

    /// <summary>Consecutive failures to enter the failed state.</summary>
    public int Fall { get; init; } = 1;

    /// <summary>Consecutive successes to leave it.</summary>
    public int Rise { get; init; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("name: must not be empty");
        }

        if (string.IsNullOrWhiteSpace(Script))
        {
            errors.Add("script: must not be empty");
        }

        if (Interval <= 0)
        {
            errors.Add($"interval: must be positive, got {Interval.ToString(CultureInfo.InvariantCulture)}");
        }

        if (Weight is < -253 or > 253)
        {
            errors.Add($"weight: must be -253..253, got {Weight}");
        }

        if (Fall < 1 || Rise < 1)
        {
            errors.Add("fall/rise: must be at least 1");
        }

        return errors;
    }
}
