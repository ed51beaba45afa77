using System.Globalization;
using System.Text;

namespace ClusterManager.Vrrp.Tests.Interop;

/// <summary>Settings of one side of an interop scenario (used for both keepalived and cm-vrrpd).</summary>
internal sealed record PeerOptions
{
    public int Version { get; init; } = 3;

    public int Priority { get; init; } = 100;

    /// <summary>0.2 s: short enough for a fast suite, MDI 0.73 s tolerates scheduling stalls on a loaded 2-core host.</summary>
    public double AdvertInt { get; init; } = 0.2;

    public string Vip { get; init; } = NetnsLab.Vip;

    public string? Pass { get; init; }

    public string? UnicastSrc { get; init; }

    public string? UnicastPeer { get; init; }
}

/// <summary>Starts real keepalived (own config and pid files) and cm-vrrpd inside lab namespaces.</summary>
internal static class Peers
{
    public static KeepalivedPeer StartKeepalived(NetnsLab lab, int node, PeerOptions options)
    {
        var name = $"keepalived-n{node}-{Guid.NewGuid():N}"[..24];
        var conf = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"global_defs {{\n    router_id ka-n{node}\n    vrrp_version {options.Version}\n}}")
            .AppendLine("vrrp_instance VI_1 {")
            .AppendLine("    state BACKUP")
            .AppendLine("    interface eth0")
            .AppendLine("    virtual_router_id 51")
            .AppendLine(CultureInfo.InvariantCulture, $"    priority {options.Priority}")
            .AppendLine(CultureInfo.InvariantCulture, $"    advert_int {options.AdvertInt}")
            .AppendLine(CultureInfo.InvariantCulture, $"    virtual_ipaddress {{\n        {options.Vip}/24\n    }}");
        if (options.Pass is not null)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"    authentication {{\n        auth_type PASS\n        auth_pass {options.Pass}\n    }}");
        }

        if (options.UnicastPeer is not null)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"    unicast_src_ip {options.UnicastSrc}\n    unicast_peer {{\n        {options.UnicastPeer}\n    }}");
        }

        conf.AppendLine("}");
        var confPath = lab.WriteFile(name + ".conf", conf.ToString());
        var pid = Path.Combine(lab.Directory, name + ".pid");
        var vrrpPid = Path.Combine(lab.Directory, name + ".vrrp.pid");
        var process = lab.Start(node, name, "/usr/sbin/keepalived", $"-P -n -l -D -G -R -f {confPath} -p {pid} -r {vrrpPid} -c {Path.Combine(lab.Directory, name + ".chk.pid")}");
        return new KeepalivedPeer(process, vrrpPid);
    }

    public static LabProcess StartOurs(NetnsLab lab, int node, PeerOptions options, string instanceJson = "", string topLevelJson = "")
    {
        var name = $"cm-vrrpd-n{node}-{Guid.NewGuid():N}"[..24];
        string Json(string? value) => value is null ? "null" : $"\"{value}\"";
        var peers = options.UnicastPeer is null ? "[]" : $"[\"{options.UnicastPeer}\"]";
        var json = $$"""
            {
              "stateDirectory": "{{Path.Combine(lab.Directory, "state-n" + node)}}", {{topLevelJson}}
              "instances": [{
                "name": "VI_1", "interface": "eth0", "vrid": 51, "priority": {{options.Priority}},
                "advertInt": {{options.AdvertInt.ToString(CultureInfo.InvariantCulture)}}, "version": {{options.Version}},
                "virtualAddresses": ["{{options.Vip}}/24"], "authPass": {{Json(options.Pass)}},
                "unicastSrcIp": {{Json(options.UnicastSrc)}}, "unicastPeers": {{peers}} {{instanceJson}}
              }]
            }
            """;
        var config = lab.WriteFile(name + ".json", json);
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "cm-vrrpd.dll");
        return lab.Start(node, name, "dotnet", $"{dll} --config {config}");
    }
}

/// <summary>A running keepalived (parent process plus the VRRP child named in its <c>-r</c> pid file).</summary>
internal sealed class KeepalivedPeer(LabProcess parent, string vrrpPidFile)
{
    public LabProcess Parent => parent;

    public string Log => parent.Log;

    /// <summary>A real crash: SIGKILL the VRRP child first (else it would get SIGTERM via PDEATHSIG and resign), then the parent.</summary>
    public void Crash()
    {
        if (File.Exists(vrrpPidFile) && int.TryParse(File.ReadAllText(vrrpPidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var child)
            && File.Exists($"/proc/{child}/comm") && File.ReadAllText($"/proc/{child}/comm").Trim() == "keepalived")
        {
            NetnsLab.Run("kill", $"-9 {child}");
        }

        parent.Signal("KILL");
        parent.WaitForExit(TimeSpan.FromSeconds(10));
    }
}
