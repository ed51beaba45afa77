using System.Net;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// Options of the host agent (<c>clusterd host</c>, the pcsd role): section <c>Host</c> of
/// <c>/etc/clustermanager/clusterd-host.json</c> (optional), overridable as <c>--Host:Port=2225</c> or
/// <c>CLUSTERD_Host__Port</c>. Every path is overridable so that several agents can run on one machine (tests).
/// </summary>
public sealed class HostAgentOptions
{
    public const string Section = "Host";

    /// <summary>The agent's port (pcsd's 2224).</summary>
    public int Port { get; set; } = 2224;

    /// <summary>The address to listen on: <c>*</c> (every address, IPv6 and IPv4) or one IP address.</summary>
    public string ListenAddress { get; set; } = "*";

    /// <summary>The agent's own state: its self-signed certificate and key, the issued tokens' hashes.</summary>
    public string StateDirectory { get; set; } = "/var/lib/clusterd-host";

    /// <summary>Where a pushed cluster configuration is installed (clusterd.json, ca.pem, node.pem, node.key, api-tokens).</summary>
    public string ConfigDirectory { get; set; } = "/etc/clustermanager";

    /// <summary>clusterd's data directory written into the installed clusterd.json (deleted by Destroy).</summary>
    public string ClusterdDataDirectory { get; set; } = "/var/lib/clustermanager";

    /// <summary>clusterd's log directory written into the installed clusterd.json (empty: console only).</summary>
    public string? ClusterdLogDirectory { get; set; } = "/var/log/clustermanager";

    /// <summary>clusterd's agents' runtime directory (Resources:ResourceTempDirectory); empty: clusterd's default.</summary>
    public string? ClusterdResourceTempDirectory { get; set; }

    /// <summary>
    /// How clusterd is controlled: <c>systemd</c> (systemctl start/stop/enable/disable of <see cref="ClusterdUnit"/>)
    /// or <c>process</c> (a child process of the agent; "enabled" means started when the agent starts; for tests and
    /// machines without systemd).
    /// </summary>
    public string ServiceManager { get; set; } = "systemd";

    /// <summary>clusterd's systemd unit.</summary>
    public string ClusterdUnit { get; set; } = "clusterd.service";

    /// <summary>
    /// The command that runs clusterd in process mode, before <c>--config FILE</c>; empty: this executable (the
    /// clusterd binary, or <c>dotnet clusterd.dll</c>).
    /// </summary>
    public List<string> ClusterdCommand { get; set; } = [];

    /// <summary>The PAM service that checks passwords (deploy/pam.d/clustermanager); <c>login</c> when that file is missing.</summary>
    public string PamService { get; set; } = "clustermanager";

    /// <summary>Users who may authenticate besides the members of <see cref="AllowedGroups"/> (pcs: hacluster).</summary>
    public List<string> AllowedUsers { get; set; } = ["hacluster"];

    /// <summary>Groups whose members may authenticate (pcs: haclient).</summary>
    public List<string> AllowedGroups { get; set; } = ["haclient"];

    /// <summary>Log level (Trace, Debug, Info, Warn, Error).</summary>
    public string LogLevel { get; set; } = "Info";

    /// <summary>Directory of a log file besides the console (journal); empty: console only.</summary>
    public string? LogDirectory { get; set; }

    /// <summary>The problems with these options, each naming the option; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 1 or > 65535)
        {
            errors.Add($"Host:Port {Port} is not a port (1-65535)");
        }

        if (ListenAddress != "*" && !IPAddress.TryParse(ListenAddress, out _))
        {
            errors.Add($"Host:ListenAddress '{ListenAddress}' is not '*' or an IP address");
        }

        foreach (var (name, value) in new[] { ("StateDirectory", StateDirectory), ("ConfigDirectory", ConfigDirectory), ("ClusterdDataDirectory", ClusterdDataDirectory) })
        {
            if (string.IsNullOrWhiteSpace(value) || !Path.IsPathFullyQualified(value))
            {
                errors.Add($"Host:{name} '{value}' is not an absolute path");
            }
        }

        if (ServiceManager is not ("systemd" or "process"))
        {
            errors.Add($"Host:ServiceManager '{ServiceManager}' is not 'systemd' or 'process'");
        }

        if (string.IsNullOrWhiteSpace(PamService))
        {
            errors.Add("Host:PamService is empty");
        }

        if (!new[] { "Trace", "Debug", "Info", "Warn", "Error" }.Contains(LogLevel, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"Host:LogLevel '{LogLevel}' is not Trace, Debug, Info, Warn or Error");
        }

        return errors;
    }
}
