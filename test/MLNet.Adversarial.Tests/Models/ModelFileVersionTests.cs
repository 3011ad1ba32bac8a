using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;

namespace MLNet.Adversarial.Tests.Models;

/// <summary>
/// model.bin files of every format version written so far still load (<see cref="RecommenderModelFile"/>). The old
/// files are built here byte by byte from the layout each version had (see git history of the model classes), not
/// with today's writer, so a change to the writer cannot silently change what "version 1" means.
/// </summary>
[TestClass]
public sealed class ModelFileVersionTests
{
    private static readonly long[] UserIds = [1, 2];
    private static readonly long[] ItemIds = [10, 11, 12];

    [TestMethod]
    public void AFactorizationFileOfVersion1Loads()
    {
        var bytes = Build(w =>
        {
            Header(w, "MLNAFM", 1);
            Vocabularies(w);
            w.Write(2); // k
            Floats(w, [1f, 0.5f, -1f, 2f]);
            Floats(w, [1f, 0f, 0f, 1f, 0.5f, 0.5f]);
            Floats(w, [0.3f, -0.2f, 0.1f]);
        });
        var model = (FactorizationModel)RecommenderModelFile.Load(new MemoryStream(bytes), "v1.bin");
        Assert.AreEqual(-1f * 0.5f + 2f * 0.5f + 0.1f, model.Score(1, 2), 1e-6f);
        CollectionAssert.AreEqual(UserIds, model.Users.Int64Ids.ToArray());
        Assert.AreEqual(new RecommenderModelFile.Header("factorisation", 1), RecommenderModelFile.ReadHeader(new MemoryStream(bytes)));
    }

    [TestMethod]
    public void TheFirstCfganFilesWithoutTheOrientationByteLoadAsUserBased()
    {
        // Version 1 as first written (commit de17021): no orientation byte; every model was user-based.
        var model = (CfganModel)RecommenderModelFile.Load(new MemoryStream(Cfgan(version: 1, orientation: null, sigmoid: true)), "old.bin");
        Assert.AreEqual(CfganOrientation.UserBased, model.Orientation);
        Assert.IsTrue(model.SigmoidOutput);
        AssertScoresLike(Expected(CfganOrientation.UserBased, sigmoid: true), model);
    }

    [TestMethod]
    [DataRow(1, CfganOrientation.UserBased, false)]
    [DataRow(1, CfganOrientation.ItemBased, true)]
    [DataRow(2, CfganOrientation.ItemBased, false)]
    public void CfganFilesWithTheOrientationByteLoad(int version, CfganOrientation orientation, bool sigmoid)
    {
        // Version 1 gained the orientation byte in commit f2b75bb without a version bump; version 2 makes it explicit.
        var model = (CfganModel)RecommenderModelFile.Load(new MemoryStream(Cfgan(version, orientation, sigmoid)), "cfgan.bin");
        Assert.AreEqual(orientation, model.Orientation);
        Assert.AreEqual(sigmoid, model.SigmoidOutput);
        AssertScoresLike(Expected(orientation, sigmoid), model);
    }

    [TestMethod]
    public void TodaysWriterWritesTheCurrentVersionsAndTheLayoutsAbove()
    {
        var cfgan = Expected(CfganOrientation.ItemBased, sigmoid: false);
        using var stream = new MemoryStream();
        cfgan.Save(stream);
        Assert.AreEqual(new RecommenderModelFile.Header("CFGAN", 2), RecommenderModelFile.ReadHeader(new MemoryStream(stream.ToArray())));
        CollectionAssert.AreEqual(Cfgan(2, CfganOrientation.ItemBased, sigmoid: false), stream.ToArray(), "version 2 is the layout built by this test");
    }

    [TestMethod]
    [DataRow("MLNAFM")]
    [DataRow("MLNAHY")]
    [DataRow("MLNACG")]
    public void ANewerVersionIsRefusedSayingSo(string magic)
    {
        var bytes = Build(w => { Header(w, magic, 99); Vocabularies(w); });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => RecommenderModelFile.Load(new MemoryStream(bytes), "future.bin"));
        StringAssert.Contains(e.Message, "future.bin");
        StringAssert.Contains(e.Message, "format version 99, newer than this library reads");
        Assert.AreEqual(99, RecommenderModelFile.ReadHeader(new MemoryStream(bytes)).Version);
    }

    // ---- the layouts ----

    private static byte[] Build(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(w);
        return stream.ToArray();
    }

    private static void Header(BinaryWriter w, string magic, int version)
    {
        w.Write(System.Text.Encoding.ASCII.GetBytes(magic));
        w.Write(version);
    }

    /// <summary>IdVocabulary's layout: kind byte (0 = int64), count, the ids.</summary>
    private static void Vocabularies(BinaryWriter w)
    {
        foreach (var ids in new[] { UserIds, ItemIds })
        {
            w.Write((byte)IdKind.Int64);
            w.Write(ids.Length);
            foreach (var id in ids) w.Write(id);
        }
    }

    private static void Floats(BinaryWriter w, float[] values)
    {
        foreach (var v in values) w.Write(v);
    }

    // User 1 bought items 10 and 12, user 2 item 11; G is 3 → 2 → 3 (user-based) or 2 → 2 → 2 (item-based).
    private static readonly int[] Offsets = [0, 2, 3];
    private static readonly int[] Items = [0, 2, 1];

    private static DenseLayer[] Layers(CfganOrientation orientation) => orientation == CfganOrientation.UserBased
        ? [new(3, 2, [0.5f, -0.25f, 1f, 0.75f, 0.1f, -0.5f], [0.1f, -0.1f]), new(2, 3, [1f, -1f, 0.5f, 0.25f, -0.75f, 2f], [0f, 0.2f, -0.2f])]
        : [new(2, 2, [0.5f, -0.25f, 1f, 0.75f], [0.1f, -0.1f]), new(2, 2, [1f, -1f, 0.5f, 0.25f], [0f, 0.2f])];

    private static byte[] Cfgan(int version, CfganOrientation? orientation, bool sigmoid) => Build(w =>
    {
        Header(w, "MLNACG", version);
        Vocabularies(w);
        w.Write(Items.Length);
        foreach (var o in Offsets) w.Write(o);
        foreach (var i in Items) w.Write(i);
        if (orientation is { } o2) w.Write((byte)o2);
        w.Write(sigmoid);
        var layers = Layers(orientation ?? CfganOrientation.UserBased);
        w.Write(layers.Length);
        foreach (var layer in layers)
        {
            w.Write(layer.Inputs);
            w.Write(layer.Outputs);
            Floats(w, layer.Weights);
            Floats(w, layer.Bias);
        }
    });

    private static CfganModel Expected(CfganOrientation orientation, bool sigmoid)
    {
        var users = IdVocabulary.FromInt64(UserIds);
        var items = IdVocabulary.FromInt64(ItemIds);
        var purchases = InteractionData.FromIndices(users, items, [0, 0, 1], Items);
        return new CfganModel(purchases, Layers(orientation), sigmoid, orientation);
    }

    private static void AssertScoresLike(CfganModel expected, CfganModel loaded)
    {
        var want = new float[ItemIds.Length];
        var got = new float[ItemIds.Length];
        for (int u = -1; u < UserIds.Length; u++)
        {
            expected.ScoreAllItems(u, want);
            loaded.ScoreAllItems(u, got);
            CollectionAssert.AreEqual(want, got, $"user index {u}");
        }
    }
}
