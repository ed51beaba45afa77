using System.Globalization;
using System.Runtime.Versioning;
using ClusterManager.Daemon.Tests.Cluster;

namespace ClusterManager.Daemon.Tests.Control;

/// <summary>
/// fence_cmtest, a fence agent speaking the standard's stdin protocol for tests with real clusterd processes: its off
/// and reboot kill the target node's clusterd (by the pid in DIR/pids/NODE) and append "TIME ACTION NODE" to
/// DIR/fenced.log; while DIR/fail exists they fail as an unreachable BMC would. Linked into hactl's tests too.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class TestFenceAgent
{
    /// <summary>The agent's file name (a clusterd with FenceAgentDirectories = [DIR] runs it).</summary>
    public const string Name = "fence_cmtest";

    private const string Script = """
        #!/bin/bash
        # fence_cmtest: kills the target node's clusterd (pid file per node) and logs the time.
        dir="$(dirname "$(readlink -f "$0")")"
        declare -A opt
        while IFS= read -r line; do [[ "$line" == *=* ]] && opt["${line%%=*}"]="${line#*=}"; done
        action="${opt[action]:-reboot}"
        target="${opt[plug]:-${opt[port]:-${opt[nodename]:-}}}"
        case "$action" in
          metadata) echo '<?xml version="1.0"?><resource-agent name="fence_cmtest" shortdesc="test"><parameters><parameter name="plug" unique="0" required="0"><content type="string"/><shortdesc lang="en">node</shortdesc></parameter></parameters><actions><action name="on"/><action name="off"/><action name="reboot"/><action name="status"/><action name="monitor"/><action name="metadata"/></actions></resource-agent>'; exit 0 ;;
          monitor|status|on) exit 0 ;;
          off|reboot)
            [ -e "$dir/fail" ] && { echo "BMC unreachable" >&2; exit 1; }
            [ -f "$dir/pids/$target" ] && kill -9 "$(cat "$dir/pids/$target")" 2>/dev/null
            echo "$(date +%s.%N) $action $target" >> "$dir/fenced.log"; exit 0 ;;
          *) exit 1 ;;
        esac
        """;

    /// <summary>Writes the agent into <paramref name="dir"/> (and DIR/pids); returns <paramref name="dir"/>.</summary>
    public static string SetUp(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "pids"));
        var path = Path.Combine(dir, Name);
        File.WriteAllText(path, Script.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    /// <summary>Records the pid of every running node, so the agent kills the right process.</summary>
    public static void WritePids(TestCluster cluster, string dir)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        for (var i = 0; i < cluster.Size; i++)
        {
            if (cluster.Pid(i) is { } pid)
            {
                File.WriteAllText(Path.Combine(dir, "pids", TestCluster.NodeName(i)), pid.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>A fence device of this agent for the nodes in <paramref name="hostList"/> (space-separated), as CIB XML.</summary>
    public static string DeviceXml(string id, string hostList) =>
        $"<primitive id=\"{id}\" class=\"stonith\" type=\"{Name}\"><instance_attributes id=\"{id}-ia\">"
        + $"<nvpair id=\"{id}-hosts\" name=\"pcmk_host_list\" value=\"{hostList}\"/></instance_attributes></primitive>";
}
