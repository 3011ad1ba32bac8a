using System.Text.Json;
using MLNet.Adversarial.Research;

namespace MLNet.Adversarial.Tests.Research;

/// <summary>A tiny run of the scale measurement (the real one is documented in docs/scale.md).</summary>
[TestClass]
public sealed class ScaleCommandTests
{
    [TestMethod]
    public void ScaleStreamsATextFileThroughAnIDataViewAndReportsThroughputAndMemory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-adv-scale-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var data = Path.Combine(dir, "rows.tsv");
        var report = Path.Combine(dir, "scale.json");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ResearchApp.Run(["scale", "--users", "300", "--items", "80", "--interactions", "3000", "--dim", "8", "--data", data, "--export", "--report", report], output, error);
        Assert.AreEqual(0, code, error.ToString());
        Assert.HasCount(3000, File.ReadAllLines(data));
        StringAssert.Contains(output.ToString(), "read IDataView: 3,000 positives, 300 users");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.AreEqual("TextLoader", json.RootElement.GetProperty("source").GetString());
        Assert.IsGreaterThan(0, json.RootElement.GetProperty("pairsPerSecond").GetDouble());
        Assert.IsGreaterThan(0, json.RootElement.GetProperty("onnxBytes").GetInt64());
        Assert.IsGreaterThan(0, json.RootElement.GetProperty("phases").EnumerateArray().Last().GetProperty("peakRssMiB").GetDouble());
        Directory.Delete(dir, recursive: true);
    }
}
