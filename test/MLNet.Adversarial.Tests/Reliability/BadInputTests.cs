using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Cli;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Serving;
using MLNet.Adversarial.Tests.Trainers;
using MLNet.Adversarial.Trainers;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Tests.Reliability;

/// <summary>
/// Bad input, each case a clear error (naming the file, line, column or flag) or a documented behaviour — never a
/// raw TorchSharp or ONNX Runtime exception.
/// </summary>
[TestClass]
public sealed class BadInputTests
{
    private static string _root = null!;
    private static string _modelDir = null!;
    private static RecommenderTransformer _model = null!;
    private static MLContext _ml = null!;

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlnet-adv-bad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        _ml = new MLContext(seed: 1);
        _model = _ml.Adversarial().Trainers.Apr(TrainingFixtures.FastOptions(epochs: 1)).Fit(TrainingFixtures.Interactions().DataView());
        _modelDir = Path.Combine(_root, "model");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["train", "--epochs", "1", "--dim", "8", "--out", _modelDir], output, error);
        Assert.AreEqual(0, code, error.ToString());
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        _model.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static InteractionTable ReadText(string text) => InteractionFileReader.Read(new StringReader(text), "ratings.tsv");

    private static RecommenderTransformer Fit(IDataView data, Action<AprTrainer.Options>? configure = null)
    {
        var options = TrainingFixtures.FastOptions(epochs: 1);
        configure?.Invoke(options);
        return _ml.Adversarial().Trainers.Apr(options).Fit(data);
    }

    private sealed class FloatRow { public float UserId { get; set; } public float ItemId { get; set; } public float Rating { get; set; } }
    private sealed class TextRow { public string UserId { get; set; } = ""; public string ItemId { get; set; } = ""; }
    private sealed class BoolRow { public bool UserId { get; set; } public long ItemId { get; set; } }
    private sealed class ULongRow { public ulong UserId { get; set; } public long ItemId { get; set; } }
    private sealed class LongRow { public long UserId { get; set; } public long ItemId { get; set; } }
    private sealed class TextRatingRow { public long UserId { get; set; } public long ItemId { get; set; } public string Rating { get; set; } = ""; }
    private sealed class Scored { public float Score { get; set; } }

    private static IDataView Rows<T>(params T[] rows) where T : class => _ml.Data.LoadFromEnumerable(rows);

    private static IDataView Pairs(params (long User, long Item)[] pairs) =>
        new InteractionTable(IdColumn.OfInt64(pairs.Select(p => p.User).ToArray()), IdColumn.OfInt64(pairs.Select(p => p.Item).ToArray())).DataView();

    // ---- interaction files: malformed lines, NaN/infinite ratings, empty data ----

    [TestMethod]
    [DataRow("1\t10\t5\n2\n", "line 2", "1 field")]
    [DataRow("1\t10\t5\n2\t11\t4\t99\t7\n", "line 2", "at most 4 fields")]
    [DataRow("1\t10\t5\n2\t11\tfive\n", "line 2", "'five' is not a number")]
    [DataRow("1\t10\t5\n2\t11\tNaN\n", "line 2", "not a finite number")]
    [DataRow("1\t10\t5\n2\t11\tInfinity\n", "line 2", "not a finite number")]
    [DataRow("1\t10\t5\n2\t11\t1e39\n", "line 2", "not a finite number")]
    [DataRow("1\t10\t5\n2\t11\n", "line 2", "has no rating but earlier lines do")]
    [DataRow("1\t10\n2\t11\t3\n", "line 2", "has a rating but earlier lines do not")]
    public void MalformedLinesNameTheFileAndLine(string text, string where, string what)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ReadText(text));
        StringAssert.Contains(e.Message, "ratings.tsv, " + where);
        StringAssert.Contains(e.Message, what);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("# only a comment\n\n")]
    [DataRow("user\titem\trating\n")]
    public void AnEmptyFileIsAnError(string text)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ReadText(text));
        StringAssert.Contains(e.Message, "ratings.tsv has no interaction rows");
    }

    [TestMethod]
    public void AMissingFileIsNotFound()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => InteractionFileReader.Read(Path.Combine(_root, "nope.tsv")));
        StringAssert.Contains(e.Message, "nope.tsv");
    }

    [TestMethod]
    public void NegativeIdsAreOrdinaryIds()
    {
        // Documented: ids are labels, not indices; a negative integer is just another id.
        var table = ReadText("-5\t-10\n-5\t3\n7\t-10\n7\t4\n");
        Assert.AreEqual(IdKind.Int64, table.Users.Kind);
        using var model = Fit(table.DataView());
        Assert.AreEqual(0, model.Model.Users.IndexOf(-5L));
        Assert.AreEqual(model.Factorization().Score(-5L, 3L), _ml.Model.CreatePredictionEngine<LongRow, Scored>(model).Predict(new LongRow { UserId = -5, ItemId = 3 }).Score, 1e-5);
    }

    [TestMethod]
    public void HugeIdsBeyondInt64BecomeTextIds()
    {
        // Documented: a column whose values do not all fit in int64 is read as text ids, so nothing is silently wrapped.
        var table = ReadText($"{long.MaxValue}\t1\n99999999999999999999\t2\n3\t1\n");
        Assert.AreEqual(IdKind.String, table.Users.Kind);
        Assert.AreEqual(IdKind.Int64, table.Items.Kind);
        CollectionAssert.AreEqual(new[] { long.MaxValue.ToString(), "99999999999999999999", "3" }, table.Users.StringValues.ToArray());
        using var model = Fit(table.DataView());
        Assert.AreEqual(3, model.Model.Users.Count);
    }

    // ---- IDataView input: NaN/infinite values, wrong types, missing columns, empty data ----

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteRatingsNameTheColumnAndRow(float rating)
    {
        var data = Rows(new FloatRow { UserId = 1, ItemId = 2, Rating = 5 }, new FloatRow { UserId = 2, ItemId = 3, Rating = rating });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Fit(data, o => { o.RatingColumnName = "Rating"; o.MinRating = 4; }));
        StringAssert.Contains(e.Message, "Rating column 'Rating', row 1");
        StringAssert.Contains(e.Message, "not a finite number");
    }

    [TestMethod]
    [DataRow(float.NaN, "id is NaN")]
    [DataRow(1.5f, "id 1.5 is not a whole number")]
    [DataRow(float.PositiveInfinity, "is not a whole number")]
    public void NonWholeFloatIdsNameTheColumnAndRow(float id, string what)
    {
        var data = Rows(new FloatRow { UserId = 1, ItemId = 2 }, new FloatRow { UserId = id, ItemId = 3 });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Fit(data));
        StringAssert.Contains(e.Message, "Column 'UserId', row 1");
        StringAssert.Contains(e.Message, what);
    }

    [TestMethod]
    public void AnEmptyTextIdNamesTheColumnAndRow()
    {
        var data = Rows(new TextRow { UserId = "a", ItemId = "x" }, new TextRow { UserId = "b", ItemId = "  " });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Fit(data));
        StringAssert.Contains(e.Message, "Column 'ItemId', row 1: empty id");
    }

    [TestMethod]
    public void AnUnsignedIdAboveInt64NamesTheColumnAndRow()
    {
        var data = Rows(new ULongRow { UserId = 1, ItemId = 2 }, new ULongRow { UserId = ulong.MaxValue, ItemId = 3 });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Fit(data));
        StringAssert.Contains(e.Message, "Column 'UserId', row 1");
        StringAssert.Contains(e.Message, ulong.MaxValue.ToString());
    }

    [TestMethod]
    public void AMissingKeyNamesTheColumnAndRow()
    {
        // Keys mapped on other data: an id the mapping lacks becomes key 0 (missing).
        var mapping = _ml.Transforms.Conversion.MapValueToKey("UserKey", "UserId").Fit(Rows(new TextRow { UserId = "a", ItemId = "x" }));
        var data = mapping.Transform(Rows(new TextRow { UserId = "a", ItemId = "x" }, new TextRow { UserId = "zz", ItemId = "y" }));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Fit(data, o => o.UserColumnName = "UserKey"));
        StringAssert.Contains(e.Message, "Column 'UserKey', row 1: missing key value");
    }

    [TestMethod]
    [DataRow("UserColumnName", "Customer", "User column 'Customer' not found")]
    [DataRow("ItemColumnName", "Product", "Item column 'Product' not found")]
    [DataRow("RatingColumnName", "Stars", "Rating column 'Stars' not found")]
    public void MissingColumnsAreNamed(string option, string column, string message)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(TrainingFixtures.Interactions().DataView(),
            o => typeof(AprTrainer.Options).GetProperty(option)!.SetValue(o, column)));
        StringAssert.Contains(e.Message, message);
    }

    [TestMethod]
    public void WronglyTypedColumnsAreNamed()
    {
        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(Rows(new BoolRow { UserId = true, ItemId = 1 })));
        StringAssert.Contains(e1.Message, "User column 'UserId' has type Boolean");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Fit(Rows(new TextRatingRow { UserId = 1, ItemId = 2, Rating = "5" }), o => o.RatingColumnName = "Rating"));
        StringAssert.Contains(e2.Message, "Rating column 'Rating' has type String");
    }

    [TestMethod]
    public void EmptyDataIsAnError()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Fit(Rows<LongRow>()));
        StringAssert.Contains(e.Message, "has no rows");
    }

    [TestMethod]
    public void NoPositiveAboveMinRatingIsAnError()
    {
        var data = Rows(new FloatRow { UserId = 1, ItemId = 2, Rating = 1 }, new FloatRow { UserId = 2, ItemId = 3, Rating = 2 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => Fit(data, o => { o.RatingColumnName = "Rating"; o.MinRating = 4; }));
        StringAssert.Contains(e.Message, "no positive interactions");
    }

    // ---- degenerate catalogues ----

    [TestMethod]
    public void OneUserTrainsWhenItHasNegativesAndIsAnErrorWhenNot()
    {
        // A single user with a low-rated third item: that item is its negative.
        var data = Rows(new FloatRow { UserId = 1, ItemId = 10, Rating = 5 }, new FloatRow { UserId = 1, ItemId = 11, Rating = 5 }, new FloatRow { UserId = 1, ItemId = 12, Rating = 1 });
        using var model = Fit(data, o => { o.RatingColumnName = "Rating"; o.MinRating = 4; });
        Assert.AreEqual(1, model.Model.Users.Count);
        Assert.AreEqual(3, model.Model.Items.Count);
        // The same user with every item a positive has no negative to sample.
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(Pairs((1, 10), (1, 11), (1, 12))));
        StringAssert.Contains(e.Message, "User '1' has a positive for every one of the 3 items");
    }

    [TestMethod]
    public void OneItemIsAnErrorNamingTheUser()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(Pairs((1, 10), (2, 10))));
        StringAssert.Contains(e.Message, "has a positive for every one of the 1 items");
    }

    [TestMethod]
    public void DuplicatedInteractionsCollapse()
    {
        // Documented on InteractionData: repeated (user, item) rows are one positive.
        var table = TrainingFixtures.Interactions();
        var users = table.Users.Int64Values.ToArray();
        var items = table.Items.Int64Values.ToArray();
        var doubled = new InteractionTable(IdColumn.OfInt64([.. users, .. users]), IdColumn.OfInt64([.. items, .. items]));
        Assert.AreEqual(InteractionData.FromTable(table, null).Count, InteractionData.FromTable(doubled, null).Count);
        using var once = Fit(table.DataView());
        using var twice = Fit(doubled.DataView());
        CollectionAssert.AreEqual(once.ScorerOnnx, twice.ScorerOnnx, "the same positives give the same model");
    }

    // ---- options ----

    [TestMethod]
    [DataRow("Epochs", -1)]
    [DataRow("BatchSize", 0)]
    [DataRow("EmbeddingDimension", 0)]
    [DataRow("CheckpointEvery", 0)]
    [DataRow("TopK", 0)]
    public void OutOfRangeOptionsAreNamed(string option, int value)
    {
        var o = TrainingFixtures.FastOptions();
        typeof(AprTrainer.Options).GetProperty(option)!.SetValue(o, value);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _ml.Adversarial().Trainers.Apr(o));
        Assert.AreEqual(option, e.ParamName);
    }

    // ---- damaged files ----

    [TestMethod]
    [DataRow("scorer.onnx", 0.5)]
    [DataRow("scorer.onnx", 0.0)]
    [DataRow("topk.onnx", 0.99)]
    public void ATruncatedOnnxFileNamesTheFile(string name, double keep)
    {
        var bytes = File.ReadAllBytes(Path.Combine(_modelDir, name));
        var path = Path.Combine(_root, "truncated-" + name);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(path));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void ACorruptOnnxFileNamesTheFile()
    {
        var bytes = File.ReadAllBytes(Path.Combine(_modelDir, "scorer.onnx"));
        var rng = new Random(1);
        for (int i = 0; i < 200; i++) bytes[rng.Next(bytes.Length)] ^= 0xFF;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => OnnxModelFile.Validate(bytes, "scorer.onnx"));
        StringAssert.Contains(e.Message, "scorer.onnx");
    }

    [TestMethod]
    [DataRow(0.5)]
    [DataRow(0.95)]
    [DataRow(0.0)]
    public void ATruncatedModelZipNamesTheFile(double keep)
    {
        var bytes = File.ReadAllBytes(Path.Combine(_modelDir, "model.zip"));
        var path = Path.Combine(_root, $"truncated-{keep}.zip");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Adversarial().LoadModel(path, out _));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    public void ACorruptModelZipNamesTheFile()
    {
        var bytes = File.ReadAllBytes(Path.Combine(_modelDir, "model.zip"));
        var rng = new Random(2);
        for (int i = 0; i < 500; i++) bytes[bytes.Length / 4 + rng.Next(bytes.Length / 2)] ^= 0xFF;
        var path = Path.Combine(_root, "corrupt.zip");
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => _ml.Adversarial().LoadModel(path, out _));
        StringAssert.Contains(e.Message, path);
    }

    [TestMethod]
    [DataRow("model.bin")]
    [DataRow("checkpoint.bin")]
    public void TruncatedModelAndCheckpointFilesNameTheFile(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(_modelDir, name));
        foreach (var keep in new[] { 0.0, 0.001, 0.5, 0.999 })
        {
            var cut = bytes[..(int)(bytes.Length * keep)];
            var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            {
                if (name == "model.bin") FactorizationModel.Load(new MemoryStream(cut), name);
                else TrainingCheckpoint.Load(new MemoryStream(cut), name);
            }, $"{name} cut to {keep}");
            StringAssert.Contains(e.Message, name);
        }
    }

    [TestMethod]
    public void ResumingOnOtherDataIsAnError()
    {
        var o = TrainingFixtures.FastOptions(epochs: 2);
        o.ResumeFrom = _model.Checkpoint;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => _ml.Adversarial().Trainers.Apr(o).Fit(TrainingFixtures.Interactions(users: 10).DataView()));
        StringAssert.Contains(e.Message, "checkpoint was made on other data");
    }

    [TestMethod]
    [DataRow("LearningRate", 0.01)]
    [DataRow("Seed", 8)]
    [DataRow("EmbeddingDimension", 16)]
    public void ResumingWithOtherSettingsNamesThem(string option, object value)
    {
        var o = TrainingFixtures.FastOptions(epochs: 2);
        var property = typeof(AprTrainer.Options).GetProperty(option)!;
        property.SetValue(o, Convert.ChangeType(value, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType));
        o.ResumeFrom = _model.Checkpoint;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => _ml.Adversarial().Trainers.Apr(o).Fit(TrainingFixtures.Interactions().DataView()));
        StringAssert.Contains(e.Message, $"{option} ");
        StringAssert.Contains(e.Message, "Resume with the same options and seed");
    }

    [TestMethod]
    public void DivergenceIsAClearErrorAndNeverCheckpointed()
    {
        var dir = Path.Combine(_root, "diverge");
        var o = TrainingFixtures.FastOptions(epochs: 3);
        o.LearningRate = 1e30; // the embeddings overflow float32 in the first epoch
        o.CheckpointDirectory = dir;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => _ml.Adversarial().Trainers.Apr(o).Fit(TrainingFixtures.Interactions().DataView()));
        StringAssert.Contains(e.Message, "Training diverged at epoch 1");
        Assert.IsFalse(File.Exists(Path.Combine(dir, FactorizationTrainerOptions.CheckpointFileName)));
    }

    // ---- serving ----

    [TestMethod]
    public void UnknownIdsAtServingTimeGetTheFallbackScore()
    {
        var engine = _ml.Model.CreatePredictionEngine<LongRow, Scored>(_model);
        int knownItem = 0;
        long knownItemId = _model.Model.Items.Int64Ids[knownItem];
        Assert.AreEqual(_model.Factorization().Score(-1, knownItem), engine.Predict(new LongRow { UserId = -42, ItemId = knownItemId }).Score, 1e-5);
        Assert.AreEqual(_model.Factorization().Score(-1, -1), engine.Predict(new LongRow { UserId = long.MaxValue, ItemId = long.MinValue }).Score, 1e-5);
    }

    [TestMethod]
    public void TextIdsForAnIntegerModelScoreNumericTextAndRejectOtherText()
    {
        // Documented on RecommenderTransformer: text ids are converted to the model's integer ids by ML.NET's ConvertType.
        long user = _model.Model.Users.Int64Ids[0], item = _model.Model.Items.Int64Ids[0];
        var scores = _model.Transform(Rows(new TextRow { UserId = user.ToString(), ItemId = item.ToString() })).GetColumn<float>("Score").ToArray();
        Assert.AreEqual(_model.Factorization().Score(user, item), scores[0], 1e-5);
        var e = Assert.Throws<InvalidOperationException>(() => _model.Transform(Rows(new TextRow { UserId = "abc", ItemId = "1" })).GetColumn<float>("Score").ToArray());
        StringAssert.Contains(e.ToString(), "could not be parsed from text to long");
        Assert.IsNotInstanceOfType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(e.InnerException);
    }

    [TestMethod]
    public void KLargerThanTheCatalogueIsClampedToIt()
    {
        // Documented on ExportTopK: K is clamped to the catalogue size.
        int items = _model.Model.Items.Count;
        var bytes = FactorizationOnnxExporter.ExportTopK(_model.Factorization(), new TopKExportOptions { ModelKind = "apr-mf", K = items * 10 });
        Assert.AreEqual(items.ToString(), OnnxModelFile.Validate(bytes)[OnnxMetadataKeys.K]);
    }

    // ---- CLI misuse: one line on stderr, exit code 1, never a stack trace ----

    private static (int Code, string Error) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, error.ToString());
    }

    [TestMethod]
    [DataRow("frobnicate", "frobnicate")]
    [DataRow("train --epochs abc --out X", "abc")]
    [DataRow("train --train NOFILE --out X", "NOFILE")]
    [DataRow("train --min-rating 4 --out X", "--min-rating needs --train")]
    [DataRow("train --checkpoint-every 0 --out X", "--checkpoint-every must be positive")]
    [DataRow("train --resume NODIR --out X", "--resume: folder")]
    [DataRow("train --resume MODEL --out X", "EmbeddingDimension 8 in the checkpoint, 64 now")]
    [DataRow("evaluate --model NODIR --train A --test B", "--model")]
    [DataRow("recommend --model MODEL --user abc", "'abc' is not one")]
    [DataRow("recommend --model MODEL --user 1 -k 100000", "exceeds the exported K")]
    [DataRow("export --model MODEL --out X --topk 0", "--topk must be positive")]
    public void CliMisuseIsOneLineAndExitCodeOne(string commandLine, string expected)
    {
        var args = commandLine.Split(' ').Select(a => a switch
        {
            "X" => Path.Combine(_root, "cli-out"),
            "NOFILE" => Path.Combine(_root, "missing.tsv"),
            "NODIR" => Path.Combine(_root, "missing-dir"),
            "MODEL" => _modelDir,
            _ => a,
        }).ToArray();
        var (code, error) = Cli(args);
        Assert.AreNotEqual(0, code);
        StringAssert.Contains(error, expected.Replace("NOFILE", "missing.tsv"));
        Assert.DoesNotContain("   at ", error, "no stack trace");
    }
}
