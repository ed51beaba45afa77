namespace ClusterManager.Fencing.Lab;

/// <summary>
/// libvirt's test driver served by an unprivileged session libvirtd (user nobody, private XDG dirs in a temp
/// directory: no system directories, no network). The test driver keeps its state only while a connection stays
/// open, so a <c>virsh event --loop</c> holder runs for the lab's lifetime (and logs lifecycle events).
/// Domains <c>node1..N</c> are defined and started.
/// </summary>
public sealed class VirshLab : IDisposable
{
    private const int Nobody = 65534;
    private readonly List<int> _pids = [];
    private bool _disposed;

    private VirshLab(string root)
    {
        Root = root;
        Socket = Path.Combine(root, "runtime", "libvirt", "libvirt-sock");
    }

    public string Root { get; }

    public string Socket { get; }

    /// <summary>The URI the virsh adapter is given.</summary>
    public string Uri => $"test+unix:///default?socket={Socket}";

    public string EventLog => Path.Combine(Root, "events.log");

    public static VirshLab Start(int domains)
    {
        var root = Directory.CreateTempSubdirectory("cmt-fence-virt-").FullName;
        Shell.Run("chmod", "755", root);
        var lab = new VirshLab(root);
        try
        {
            foreach (var sub in new[] { "home", "runtime", "config", "cache" })
            {
                Directory.CreateDirectory(Path.Combine(root, sub));
                Shell.Run("chown", $"{Nobody}:{Nobody}", Path.Combine(root, sub));
            }

            lab._pids.Add(Shell.Start("setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i",
                 $"HOME={root}/home", $"XDG_RUNTIME_DIR={root}/runtime", $"XDG_CONFIG_HOME={root}/config",
                 $"XDG_CACHE_HOME={root}/cache", "PATH=/usr/sbin:/usr/bin:/bin", "libvirtd", "--timeout", "0"],
                Path.Combine(root, "libvirtd.log")));
            if (!Shell.WaitFor(() => File.Exists(lab.Socket) && Shell.Run("virsh", ["-c", lab.Uri, "version"], check: false).ExitCode == 0,
                    TimeSpan.FromSeconds(30)))
            {
                throw new InvalidOperationException("libvirtd did not come up: " + File.ReadAllText(Path.Combine(root, "libvirtd.log")));
            }

            lab._pids.Add(Shell.Start("virsh", ["-c", lab.Uri, "event", "--all", "--loop"], lab.EventLog));
            Shell.WaitFor(() => false, TimeSpan.FromMilliseconds(300));
            for (var i = 1; i <= domains; i++)
            {
                var xml = Path.Combine(root, $"node{i}.xml");
                File.WriteAllText(xml,
                    $"<domain type='test'><name>node{i}</name><memory unit='MiB'>128</memory><os><type arch='x86_64'>hvm</type></os></domain>");
                lab.Virsh("define", xml);
                lab.Virsh("start", $"node{i}");
            }

            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public string Virsh(params string[] arguments) => Shell.Run("virsh", ["-q", "-c", Uri, .. arguments]).Trim();

    /// <summary>The domain's state as virsh prints it: "running", "shut off", ...</summary>
    public string State(string domain) => Virsh("domstate", domain);

    /// <summary>Starts every defined domain that is not running.</summary>
    public void Reset()
    {
        foreach (var name in Virsh("list", "--inactive", "--name").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Virsh("start", name.Trim());
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var pid in Enumerable.Reverse(_pids))
        {
            Shell.Stop(pid, TimeSpan.FromSeconds(5));
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // libvirtd may still be removing its socket; the temp dir is harmless.
        }
    }
}
