using MLNet.Adversarial.Data;

namespace MLNet.Adversarial.Tests.Privacy;

[TestClass]
public sealed class SensitiveAttributesTests
{
    private static string _dir = null!;

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlnet-adv-sensitive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void ReadsMovieLensUserTableByIndex()
    {
        var path = Write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n");
        var gender = SensitiveAttributes.FromSpec(path + ":3");
        CollectionAssert.AreEqual(new[] { "F", "M" }, gender.ClassNames.ToArray(), "classes sorted ordinally");
        Assert.AreEqual(3, gender.UserCount);
        Assert.AreEqual(1, gender.ClassOf("1"));
        Assert.AreEqual(0, gender.ClassOf("2"));
        Assert.AreEqual(-1, gender.ClassOf("4"));
        var users = IdVocabulary.FromInt64([2, 3, 9]);
        CollectionAssert.AreEqual(new[] { 0, 1, -1 }, gender.LabelsFor(users));

        var occupation = SensitiveAttributes.FromFile(path, "4");
        Assert.AreEqual(3, occupation.ClassCount);
    }

    [TestMethod]
    public void ReadsHeaderByNameOrIndexWithTabsAndCommas()
    {
        var csv = Write("users.csv", "user_id,Gender,age\n10,f,30\n11,m,41\n12,m,19\n");
        var byName = SensitiveAttributes.FromFile(csv, "gender");
        Assert.AreEqual(3, byName.UserCount);
        Assert.AreEqual("users.csv:Gender", byName.Name);
        var byIndex = SensitiveAttributes.FromFile(csv, "2");
        Assert.AreEqual(3, byIndex.UserCount, "the header line is detected and skipped");

        var tsv = Write("users.tsv", "a\tx\nb\ty\n");
        Assert.AreEqual(1, SensitiveAttributes.FromFile(tsv, "2").ClassOf("b"), "text ids, no header");
    }

    [TestMethod]
    public void BandsTurnAgesIntoClasses()
    {
        var path = Write("ages", "1|17|M\n2|25|F\n3|34|M\n4|60|F\n");
        var bands = SensitiveAttributes.FromFile(path, "2", [25, 35]);
        Assert.AreEqual(3, bands.ClassCount);
        Assert.AreEqual(bands.ClassOf("2"), bands.ClassOf("3"), "25 and 34 share the band 25-35");
        Assert.AreEqual("<25", bands.ClassNames[bands.ClassOf("1")]);
        Assert.AreEqual(">=35", bands.ClassNames[bands.ClassOf("4")]);
    }

    [TestMethod]
    public void ErrorsNameTheFileAndProblem()
    {
        var path = Write("short", "1|24|M\n2|53\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SensitiveAttributes.FromFile(path, "3"));
        StringAssert.Contains(e.Message, "short, line 2");
        Assert.ThrowsExactly<InvalidDataException>(() => SensitiveAttributes.FromFile(path, "gender"), "no header");
        Assert.ThrowsExactly<ArgumentException>(() => SensitiveAttributes.FromFile(path, "1"), "the id column");
        Assert.ThrowsExactly<FileNotFoundException>(() => SensitiveAttributes.FromFile(path + ".missing", "2"));
        Assert.ThrowsExactly<ArgumentException>(() => SensitiveAttributes.FromSpec(path));
        var conflict = Write("conflict", "1|M\n1|F\n");
        Assert.ThrowsExactly<InvalidDataException>(() => SensitiveAttributes.FromFile(conflict, "2"));
        var single = Write("single", "1|M\n2|M\n");
        Assert.ThrowsExactly<InvalidDataException>(() => SensitiveAttributes.FromFile(single, "2"));
    }
}
