using System.Text;
using MLNet.Adversarial.Research;

namespace MLNet.Adversarial.Tests.Research;

[TestClass]
public sealed class TextBenchCommandTests
{
    [TestMethod]
    public void TextBenchReportsBothEncodersAndTheRatio()
    {
        var path = Path.Combine(Path.GetTempPath(), "mlnet-adv-items-" + Guid.NewGuid().ToString("N") + ".item");
        try
        {
            File.WriteAllText(path, "1|Toy Story (1995)|01-Jan-1995\n2|GoldenEye (1995)|01-Jan-1995\n3|Four Rooms (1995)|01-Jan-1995\n", Encoding.Latin1);
            var output = new StringWriter();
            var error = new StringWriter();
            int code = ResearchApp.Run(["text-bench", "--items", path, "--repeats", "1", "--batch", "2"], output, error);
            Assert.AreEqual(0, code, error.ToString());
            var text = output.ToString();
            StringAssert.Contains(text, "3 titles");
            StringAssert.Contains(text, "TextEncoder.CreateMiniLM()");
            StringAssert.Contains(text, "SentenceEncoder.Encode");
            StringAssert.Contains(text, "ratio (ours / package):");
            StringAssert.Contains(text, "titles below 0.999: 0");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TextBenchRejectsAMissingItemsFile()
    {
        var error = new StringWriter();
        int code = ResearchApp.Run(["text-bench", "--items", "/nonexistent/u.item"], new StringWriter(), error);
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error.ToString(), "'/nonexistent/u.item' does not exist");
    }
}
