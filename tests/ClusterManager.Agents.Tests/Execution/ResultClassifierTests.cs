using ClusterManager.Agents.Execution;

namespace ClusterManager.Agents.Tests.Execution;

public sealed class ResultClassifierTests
{
    [TestCase("start", 0, OcfExitCode.Success, ExecStatus.Done, OcfExitCode.Success, ExecStatus.Done, FailureSeverity.None)]
    [TestCase("monitor", 0, OcfExitCode.NotRunning, ExecStatus.Done, OcfExitCode.NotRunning, ExecStatus.Done, FailureSeverity.None)]
    [TestCase("monitor", 0, OcfExitCode.Success, ExecStatus.Done, OcfExitCode.NotRunning, ExecStatus.Done, FailureSeverity.None)]
    [TestCase("monitor", 10000, OcfExitCode.NotRunning, ExecStatus.Done, OcfExitCode.Success, ExecStatus.Error, FailureSeverity.Soft)]
    [TestCase("monitor", 10000, OcfExitCode.Degraded, ExecStatus.Done, OcfExitCode.Success, ExecStatus.Done, FailureSeverity.None)]
    [TestCase("start", 0, OcfExitCode.GenericError, ExecStatus.Done, OcfExitCode.Success, ExecStatus.Error, FailureSeverity.Soft)]
    [TestCase("start", 0, OcfExitCode.InvalidArguments, ExecStatus.Done, OcfExitCode.Success, ExecStatus.ErrorHard, FailureSeverity.Hard)]
    [TestCase("start", 0, OcfExitCode.InsufficientPrivileges, ExecStatus.Done, OcfExitCode.Success, ExecStatus.ErrorHard, FailureSeverity.Hard)]
    [TestCase("start", 0, OcfExitCode.NotInstalled, ExecStatus.Done, OcfExitCode.Success, ExecStatus.ErrorHard, FailureSeverity.Hard)]
    [TestCase("start", 0, OcfExitCode.NotConfigured, ExecStatus.Done, OcfExitCode.Success, ExecStatus.ErrorFatal, FailureSeverity.Fatal)]
    [TestCase("start", 0, OcfExitCode.Unimplemented, ExecStatus.Done, OcfExitCode.Success, ExecStatus.ErrorHard, FailureSeverity.Hard)]
    [TestCase("monitor", 5000, OcfExitCode.Unimplemented, ExecStatus.Done, OcfExitCode.Success, ExecStatus.NotSupported, FailureSeverity.None)]
    [TestCase("monitor", 5000, OcfExitCode.FailedPromoted, ExecStatus.Done, OcfExitCode.RunningPromoted, ExecStatus.Error, FailureSeverity.Soft)]
    [TestCase("start", 0, OcfExitCode.GenericError, ExecStatus.Timeout, OcfExitCode.Success, ExecStatus.Timeout, FailureSeverity.Soft)]
    [TestCase("start", 0, OcfExitCode.NotInstalled, ExecStatus.NotInstalled, OcfExitCode.Success, ExecStatus.NotInstalled, FailureSeverity.Hard)]
    [TestCase("monitor", 0, OcfExitCode.Unknown, ExecStatus.Pending, OcfExitCode.NotRunning, ExecStatus.Pending, FailureSeverity.None)]
    public void Classify_RemapsLikePacemaker_ForRcAndExpectation(
        string action, int intervalMs, OcfExitCode rc, ExecStatus status, OcfExitCode expected, ExecStatus remapped, FailureSeverity severity)
    {
        var request = AgentRequest.Create("r", "ocf:heartbeat:Dummy", action, TimeSpan.FromSeconds(20), interval: TimeSpan.FromMilliseconds(intervalMs));
        var result = AgentResult.Of(rc, status, null, DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        Assert.That(ResultClassifier.Classify(request, result, expected), Is.EqualTo((remapped, severity)));
    }

    [TestCase(OcfExitCode.NotRunning, "not running")]
    [TestCase(OcfExitCode.RunningMaster, "promoted")]
    [TestCase(OcfExitCode.NotConfigured, "not configured")]
    public void Describe_GivesPacemakerText_ForRc(OcfExitCode rc, string text) =>
        Assert.That(ResultClassifier.Describe(rc), Is.EqualTo(text));
}
