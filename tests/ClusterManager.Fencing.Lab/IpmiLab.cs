using System.Globalization;

namespace ClusterManager.Fencing.Lab;

/// <summary>A fault a lab BMC can be told to show.</summary>
public enum BmcFault
{
    None,

    /// <summary>Every power command fails (completion code 0xff).</summary>
    Error,

    /// <summary>Power off and reset are accepted but do nothing: the node stays on.</summary>
    StuckOn,
}

/// <summary>One simulated BMC and the process that stands for its node.</summary>
public sealed record LabBmc(string Node, string Address, int Port, string User, string Password, string Directory);

/// <summary>
/// ipmi_sim BMCs (OpenIPMI) in a test network namespace, IPMI v2.0 over LAN with user <c>admin</c> and a password.
/// Each BMC's chassis control runs <c>chassis.sh</c>: power on starts a process standing for the node
/// (<c>cm-fake-node-NAME</c>, its pid in <c>node.pid</c>, each start appended to <c>boots.log</c>), power off
/// SIGKILLs it. Faults are files in the node directory, read on every command.
/// </summary>
public sealed class IpmiLab : IDisposable
{
    public const string User = "admin";
    public const string Password = "cm-fence-secret";
    private const int FirstPort = 16231;

    private const string ChassisScript = """
        #!/bin/bash
        # chassis.sh NODEDIR get NAME... | set NAME VALUE...  (ipmi_sim chassis_control protocol)
        dir="$1"; shift; op="$1"; shift
        name="$(cat "$dir/node.name")"
        echo "$(date +%s.%N) $op $*" >> "$dir/chassis.log"
        alive() {
          local pid; pid="$(cat "$dir/node.pid" 2>/dev/null)" || return 1
          [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "^cm-fake-node-$name "
        }
        start_node() {
          alive && return 0
          setsid bash -c "exec -a cm-fake-node-$name sleep 1000000" </dev/null >/dev/null 2>&1 &
          echo $! > "$dir/node.pid"
          echo "$(date +%s.%N) $!" >> "$dir/boots.log"
        }
        kill_node() { if alive; then kill -KILL "$(cat "$dir/node.pid")"; fi; rm -f "$dir/node.pid"; }
        case "$op" in
          get)
            for item in "$@"; do
              case "$item" in
                power) if alive; then echo "power:1"; else echo "power:0"; fi ;;
                *) echo "$item:0" ;;
              esac
            done ;;
          set)
            [ -e "$dir/fault-error" ] && exit 1
            while [ $# -ge 2 ]; do
              item="$1"; value="${2//\"/}"; shift 2
              case "$item" in
                power) if [ "$value" = 0 ]; then [ -e "$dir/fault-stuck-on" ] || kill_node; else start_node; fi ;;
                reset) [ -e "$dir/fault-stuck-on" ] || { kill_node; start_node; } ;;
                shutdown) [ -e "$dir/fault-stuck-on" ] || kill_node ;;
              esac
            done ;;
        esac
        exit 0
        """;

    private readonly List<int> _simPids = [];
    private readonly List<LabBmc> _bmcs = [];
    private bool _disposed;

    private IpmiLab(NetworkNamespace network, string root)
    {
        Network = network;
        Root = root;
    }

    public NetworkNamespace Network { get; }

    public string Root { get; }

    public IReadOnlyList<LabBmc> Bmcs => _bmcs;

    /// <summary>Starts <paramref name="count"/> BMCs for nodes <c>node1..N</c>, all powered on.</summary>
    public static IpmiLab Start(int count)
    {
        var root = Directory.CreateTempSubdirectory("cmt-fence-ipmi-").FullName;
        var network = NetworkNamespace.Create();
        var lab = new IpmiLab(network, root);
        try
        {
            var script = Path.Combine(root, "chassis.sh");
            File.WriteAllText(script, ChassisScript.Replace("\r", "", StringComparison.Ordinal) + "\n");
            Shell.Run("chmod", "700", script);
            for (var i = 1; i <= count; i++)
            {
                lab.AddBmc($"node{i}", FirstPort + i - 1, script);
            }

            foreach (var bmc in lab._bmcs)
            {
                if (!Shell.WaitFor(() => network.Exec("ss", "-Huln").Contains($"{bmc.Address}:{bmc.Port}", StringComparison.Ordinal),
                        TimeSpan.FromSeconds(20)))
                {
                    throw new InvalidOperationException($"ipmi_sim for {bmc.Node} did not listen on {bmc.Address}:{bmc.Port}: " +
                        File.ReadAllText(Path.Combine(bmc.Directory, "ipmi_sim.log")));
                }
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public LabBmc Bmc(string node) => _bmcs.Single(b => b.Node == node);

    /// <summary>The pid of the node's process, or null when its power is off.</summary>
    public int? NodePid(string node)
    {
        var file = Path.Combine(Bmc(node).Directory, "node.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
            Shell.IsAlive(pid) ? pid : null;
    }

    public bool IsPoweredOn(string node) => NodePid(node) is not null;

    /// <summary>How many times the node's process was started.</summary>
    public int Boots(string node)
    {
        var file = Path.Combine(Bmc(node).Directory, "boots.log");
        return File.Exists(file) ? File.ReadAllLines(file).Length : 0;
    }

    public void SetFault(string node, BmcFault fault)
    {
        var dir = Bmc(node).Directory;
        File.Delete(Path.Combine(dir, "fault-error"));
        File.Delete(Path.Combine(dir, "fault-stuck-on"));
        if (fault != BmcFault.None)
        {
            File.WriteAllText(Path.Combine(dir, fault == BmcFault.Error ? "fault-error" : "fault-stuck-on"), "");
        }
    }

    /// <summary>Clears faults and powers every node on (directly through the chassis script, not over IPMI).</summary>
    public void Reset()
    {
        foreach (var bmc in _bmcs)
        {
            SetFault(bmc.Node, BmcFault.None);
            Chassis(bmc, "set", "power", "1");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var pid in _simPids)
        {
            Shell.Stop(pid, TimeSpan.FromSeconds(3));
        }

        foreach (var bmc in _bmcs)
        {
            if (NodePid(bmc.Node) is { } pid)
            {
                Shell.Stop(pid, TimeSpan.FromSeconds(1));
            }
        }

        Network.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A straggler still writing; the temp dir is harmless.
        }
    }

    private void AddBmc(string node, int port, string script)
    {
        var dir = Path.Combine(Root, node);
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        File.WriteAllText(Path.Combine(dir, "node.name"), node);
        var bmc = new LabBmc(node, Network.Address, port, User, Password, dir);
        File.WriteAllText(Path.Combine(dir, "lan.conf"), $"""
            name "cmt-{node}"
            set_working_mc 0x20
              startlan 1
                addr {bmc.Address} {port}
                priv_limit admin
                allowed_auths_callback md5 straight
                allowed_auths_user md5 straight
                allowed_auths_operator md5 straight
                allowed_auths_admin md5 straight
                guid "cmt-{node}-bmc-guid-0"
              endlan
              chassis_control "{script} {dir}"
              user 2 true "{User}" "{Password}" admin 10 md5 straight

            """);
        File.WriteAllText(Path.Combine(dir, "bmc.emu"), """
            mc_setbmc 0x20
            mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
            sel_enable 0x20 1000 0x0a
            mc_enable 0x20

            """);
        _bmcs.Add(bmc);
        Chassis(bmc, "set", "power", "1");
        _simPids.Add(Shell.Start("ip",
            ["netns", "exec", Network.Name, "ipmi_sim", "-n", "-c", Path.Combine(dir, "lan.conf"),
             "-f", Path.Combine(dir, "bmc.emu"), "-s", Path.Combine(dir, "state")],
            Path.Combine(dir, "ipmi_sim.log")));
    }

    private void Chassis(LabBmc bmc, params string[] arguments) =>
        Shell.Run(Path.Combine(Root, "chassis.sh"), [bmc.Directory, .. arguments]);
}
