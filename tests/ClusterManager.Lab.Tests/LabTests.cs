namespace ClusterManager.Lab.Tests;

/// <summary>
/// The local lab (<c>deploy/lab/lab</c>), for real: <c>lab up</c> once for the fixture (three systemd-nspawn nodes
/// running clusterd, backends, BMCs), the lab's commands against it, and <c>lab down</c> as the last test. The lab's
/// names are fixed, so a lab already present on the machine is refused and left alone.
/// </summary>
[NonParallelizable]
public class LabTests
{
    private static readonly TimeSpan UpLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ClusterLimit = TimeSpan.FromSeconds(90);
    private const string NspawnDirectory = "/run/systemd/nspawn";
    private static readonly string[] Namespaces =
        ["cmlab-bmc1", "cmlab-bmc2", "cmlab-bmc3", "cmlab-n1", "cmlab-n2", "cmlab-n3", "cmlab-web1", "cmlab-web2"];

    private bool _ours;
    private bool _nspawnDirectoryExisted;

    [OneTimeSetUp]
    public void BringLabUp()
    {
        _nspawnDirectoryExisted = Directory.Exists(NspawnDirectory);
        var up = LabScript.Lab(UpLimit, "up", "--exclusive");
        if (up.ExitCode == LabScript.AlreadyPresent)
        {
            throw new InvalidOperationException(
                "a lab (or part of one) is already present on this machine; not ours, so left alone (lab down removes it):\n" + up.Describe());
        }

        _ours = true;
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("lab up failed:\n" + up.Describe());
        }
    }

    [OneTimeTearDown]
    public void TakeLabDown()
    {
        if (_ours)
        {
            LabScript.Lab("down");
        }
    }

    [Order(1)]
    [TestCase("n1", "198.18.0.11")]
    [TestCase("n2", "198.18.0.12")]
    [TestCase("n3", "198.18.0.13")]
    [TestCase("web1", "198.18.0.21")]
    [TestCase("web2", "198.18.0.22")]
    [TestCase("bmc1", "198.18.0.31")]
    [TestCase("bmc2", "198.18.0.32")]
    [TestCase("bmc3", "198.18.0.33")]
    public void Up_GivesNamespaceItsAddress_OnTheBridge(string name, string address)
    {
        var addresses = LabScript.RunChecked("ip", "-n", "cmlab-" + name, "-4", "-o", "addr", "show", "dev", "eth0");
        var link = LabScript.RunChecked("ip", "-o", "link", "show", "dev", $"cmlab-{name}-h");

        Assert.That(addresses, Does.Contain($" {address}/24 "));
        Assert.That(link, Does.Contain("master cmlab-br0").And.Contain("state UP"));
    }

    [Test]
    [Order(1)]
    public void Up_GivesHostItsAddress_OnTheBridge()
    {
        var addresses = LabScript.RunChecked("ip", "-4", "-o", "addr", "show", "dev", "cmlab-br0");

        Assert.That(addresses, Does.Contain(" 198.18.0.1/24 "));
    }

    [Order(2)]
    [TestCase("web1", "198.18.0.21")]
    [TestCase("web2", "198.18.0.22")]
    public async Task Up_StartsBackend_ThatNamesItself(string backend, string address)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var page = await http.GetStringAsync(new Uri($"http://{address}/"));

        Assert.That(page, Does.Contain($"cmlab backend {backend}"));
    }

    [Test]
    [Order(3)]
    public async Task Up_FormsCluster_WhoseNodesAgreeOnOneLeader()
    {
        var answers = await LabScript.WaitForAgreementAsync(LabScript.Nodes, ClusterLimit, CancellationToken.None);

        Assert.That(answers.Values, Has.All.Not.Null, "every node answers on its API");
        Assert.That(answers.Values.Select(s => s!.HasQuorum), Has.All.True);
        Assert.That(answers.Values.Select(s => s!.Leader).Distinct(), Is.EqualTo(new[] { answers["n1"]!.Leader }), "one leader");
        Assert.That(answers["n1"]!.Leader, Is.AnyOf("n1", "n2", "n3"));
        Assert.That(answers.Select(a => a.Value!.LocalNode), Is.EqualTo(answers.Keys), "each node answers as itself");
        Assert.That(answers.Values.Select(s => s!.Members.Count), Has.All.EqualTo(3));
        Assert.That(answers.Values.Select(s => s!.Members.Count(m => m.IsLeader)), Has.All.EqualTo(1));
    }

    [Test]
    [Order(4)]
    public void Up_SaysItIsUp_WhenRunAgain_AndExclusiveRefuses()
    {
        var again = LabScript.Lab("up", "--no-build", "--no-deps");
        var exclusive = LabScript.Lab("up", "--exclusive", "--no-build", "--no-deps");

        Assert.That(again.ExitCode, Is.Zero, again.Describe());
        Assert.That(again.Error, Does.Contain("the lab is already up"));
        Assert.That(exclusive.ExitCode, Is.EqualTo(LabScript.AlreadyPresent), exclusive.Describe());
        Assert.That(LabScript.Leftovers(), Has.Some.StartsWith("namespace cmlab-n1"), "the running lab was left alone");
    }

    [Test]
    [Order(5)]
    public void Status_ListsNodesNamespacesAndBackends()
    {
        var status = LabScript.Lab("status");

        Assert.That(status.ExitCode, Is.Zero, status.Describe());
        foreach (var node in LabScript.Nodes)
        {
            Assert.That(status.Output, Does.Match($"(?m)^{node} +{LabScript.NodeAddress(node).Replace(".", "\\.", StringComparison.Ordinal)} +container pid [0-9]+ "));
        }

        Assert.That(status.Output, Does.Contain("== hactl status"));
        Assert.That(status.Output, Does.Contain("cmlab backend web1").And.Contain("cmlab backend web2"));
        foreach (var name in Namespaces)
        {
            Assert.That(status.Output, Does.Contain(name));
        }
    }

    [Test]
    [Order(6)]
    public async Task FenceCmIpmi_RebootsNodeContainer_ThroughItsBmcFromAnotherNode()
    {
        var before = LabScript.RecordedPid("n1");
        // power_timeout 60: the lab BMC powers off by killing the container, which took over 20 s once at load 15-20.
        const string Arguments = "action=reboot\\nip=198.18.0.31\\nusername=admin\\npassword=cmlab-ipmi-secret\\nnodename=n1\\npower_timeout=60\\n";

        var fence = LabScript.Lab("exec", "n2", "sh", "-c", $"printf '{Arguments}' | /usr/lib/clustermanager/fencing-agents/fence_cm_ipmi");

        Assert.That(fence.ExitCode, Is.Zero, fence.Describe());
        Assert.That(fence.Output, Does.Contain("Success: Rebooted"));
        Assert.That(before, Is.Not.Null);
        Assert.That(LabScript.IsAlive(before!.Value), Is.False, "the container's old systemd was killed by power off");
        Assert.That(LabScript.WaitFor(() => LabScript.RecordedPid("n1") is { } pid && pid != before && LabScript.IsAlive(pid), ClusterLimit),
            Is.True, "power on booted a new container");
        var answers = await LabScript.WaitForAgreementAsync(LabScript.Nodes, ClusterLimit, CancellationToken.None);
        Assert.That(answers["n1"], Is.Not.Null.And.Property("HasQuorum").True, "the rebooted node rejoined");
    }

    [Test]
    [Order(7)]
    public async Task KillThenStart_NodeLeavesThenRejoins()
    {
        var before = LabScript.RecordedPid("n3")!.Value;

        var kill = LabScript.Lab("kill", "n3");

        Assert.That(kill.ExitCode, Is.Zero, kill.Describe());
        Assert.That(LabScript.IsAlive(before), Is.False);
        Assert.That(LabScript.RunChecked("ip", "-n", "cmlab-n3", "-o", "link", "show", "dev", "eth0"), Does.Contain("state DOWN"),
            "a dead node's interface is silent");
        var majority = await LabScript.WaitForAgreementAsync(["n1", "n2"], ClusterLimit, CancellationToken.None, leader => leader != "n3");
        Assert.That(majority.Values.Select(s => s?.Leader), Has.All.AnyOf("n1", "n2"), "the other two keep a leader");

        var start = LabScript.Lab("start", "n3");

        Assert.That(start.ExitCode, Is.Zero, start.Describe());
        var all = await LabScript.WaitForAgreementAsync(LabScript.Nodes, ClusterLimit, CancellationToken.None);
        Assert.That(all["n3"], Is.Not.Null.And.Property("HasQuorum").True, "n3 rejoined");
    }

    [Test]
    [Order(8)]
    public async Task PartitionThenHeal_MajorityKeepsLeader_AndNodeRejoins()
    {
        var partition = LabScript.Lab("partition", "n2");

        Assert.That(partition.ExitCode, Is.Zero, partition.Describe());
        var majority = await LabScript.WaitForAgreementAsync(["n1", "n3"], ClusterLimit, CancellationToken.None, leader => leader != "n2");
        Assert.That(majority.Values.Select(s => s?.Leader), Has.All.AnyOf("n1", "n3"));
        Assert.That(await LabScript.StatusAsync("n2", CancellationToken.None), Is.Null, "the host cannot reach n2");

        var heal = LabScript.Lab("heal", "n2");

        Assert.That(heal.ExitCode, Is.Zero, heal.Describe());
        var all = await LabScript.WaitForAgreementAsync(LabScript.Nodes, ClusterLimit, CancellationToken.None);
        Assert.That(all["n2"], Is.Not.Null.And.Property("HasQuorum").True, "n2 rejoined");
    }

    [Test]
    [Order(100)]
    public void Down_RemovesEverything_AndSucceedsAgainOnCleanMachine()
    {
        var pids = new[] { "n1", "n2", "n3", "bmc1", "bmc2", "bmc3", "web1", "web2" }
            .Select(LabScript.RecordedPid).OfType<int>().ToList();

        var down = LabScript.Lab("down");
        var leftovers = LabScript.Leftovers();
        var again = LabScript.Lab("down");

        Assert.That(down.ExitCode, Is.Zero, down.Describe());
        Assert.That(pids, Has.Count.EqualTo(8), "every container, BMC and backend had recorded its pid");
        Assert.That(leftovers, Is.Empty);
        Assert.That(pids.Where(LabScript.IsAlive), Is.Empty, "no process of the lab survives");
        Assert.That(again.ExitCode, Is.Zero, again.Describe());
        Assert.That(LabScript.Leftovers(), Is.Empty);
        Assert.That(Directory.Exists(NspawnDirectory), Is.EqualTo(_nspawnDirectoryExisted),
            "systemd-nspawn's mount point directory on the host is removed when the lab created it");
    }
}
