using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Adversarial.Data;
using MLNet.Adversarial.Models;
using MLNet.Adversarial.Onnx;
using MLNet.Adversarial.Training;

namespace MLNet.Adversarial.Serving;

/// <summary>
/// The fitted recommender: adds a score column to (user, item) rows by running the exported ONNX scorer through
/// ML.NET's ONNX transformer. It also carries the trained <see cref="IRecommenderModel"/>, both ONNX exports, the
/// training history and a TorchSharp checkpoint to continue training from.
/// </summary>
/// <remarks>
/// ML.NET does not let third-party transformers persist themselves, so this one delegates to a chain of stock
/// transformers. <c>mlContext.Model.Save</c> therefore writes that chain, and <c>mlContext.Model.Load</c> returns it
/// (a <c>TransformerChain&lt;ITransformer&gt;</c>) with identical scores. Call <c>mlContext.Adversarial()</c> once
/// before loading, so ML.NET can find this library's score mapping.
/// <para>
/// Bad input at serving time: ids the model has not seen (unknown users or items, negative or huge ids) are scored
/// with the fallback rows — the mean user vector and the mean item vector and bias — never an index error. An id
/// column of another type than the model's ids is converted by ML.NET's <c>ConvertType</c>: text holding integers
/// scores normally against an integer-id model, other text fails with ML.NET's <see cref="InvalidOperationException"/>
/// ("Value could not be parsed from text to long"). Saved models are best loaded with
/// <see cref="AdversarialCatalog.LoadModel"/>, which reports a truncated or corrupt file as an <see cref="InvalidDataException"/> naming it.
/// </para>
/// </remarks>
public sealed class RecommenderTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _scoring;
    private readonly string _onnxFile;

    private RecommenderTransformer(ITransformer scoring, string onnxFile, IRecommenderModel model, byte[] scorerOnnx, byte[] topKOnnx,
        TrainingResult<IRecommenderModel> training, TrainingCheckpoint? checkpoint, InteractionData trainingData)
    {
        _scoring = scoring;
        _onnxFile = onnxFile;
        Model = model;
        ScorerOnnx = scorerOnnx;
        TopKOnnx = topKOnnx;
        Training = training;
        Checkpoint = checkpoint;
        TrainingData = trainingData;
        Recommender = new Recommender(model, trainingData);
    }

    /// <summary>
    /// Exports <paramref name="result"/>'s model (both ONNX contracts) and builds the serving chain on the schema of
    /// <paramref name="input"/>. Every trainer ends its <c>Fit</c> here, so all models are served the same way.
    /// </summary>
    internal static RecommenderTransformer Create(MLContext mlContext, IDataView input, InteractionData train, TrainingResult<IRecommenderModel> result,
        TrainingCheckpoint? checkpoint, ServingOptions options, string modelKind, IReadOnlyDictionary<string, string> hyperParameters)
    {
        var model = result.Model;
        var export = new OnnxExportOptions { ModelKind = modelKind, HyperParameters = hyperParameters, TrainingData = train };
        var scorer = model.ExportPairwiseScorer(export);
        var topK = model.ExportTopK(
            new TopKExportOptions { ModelKind = modelKind, HyperParameters = hyperParameters, TrainingData = train, K = options.TopK, ExcludeTrainingItems = options.ExcludeTrainingItemsFromTopK });
        var userMap = KeyColumnIdMap.For(mlContext, model.Users, input.Schema[options.UserColumnName]);
        var itemMap = KeyColumnIdMap.For(mlContext, model.Items, input.Schema[options.ItemColumnName]);
        var servingScorer = model.ExportPairwiseScorer(export with { IdInputShape = OnnxIdInputShape.Column, UserIdMap = userMap, ItemIdMap = itemMap });
        var scoring = ScoringPipeline.Build(mlContext, input, servingScorer, options.UserColumnName, options.ItemColumnName,
            (userMap?.Ids ?? model.Users).Kind, (itemMap?.Ids ?? model.Items).Kind, options.ScoreColumnName,
            options.GpuDeviceId ?? mlContext.GpuDeviceId, options.FallbackToCpu ?? mlContext.FallbackToCpu, out var onnxFile);
        return new RecommenderTransformer(scoring, onnxFile, model, scorer, topK, result, checkpoint, train);
    }

    /// <summary>
    /// The trained model (embeddings and vocabularies for the factorisation trainers, a <see cref="FactorizationModel"/>;
    /// other trainers document their model type).
    /// </summary>
    public IRecommenderModel Model { get; }

    /// <summary>The pairwise scorer ONNX model (inputs <c>user</c>, <c>item</c> as raw ids; output <c>score</c>).</summary>
    public byte[] ScorerOnnx { get; }

    /// <summary>The top-K recommender ONNX model (input <c>user</c>; outputs <c>item_ids</c> and <c>scores</c>).</summary>
    public byte[] TopKOnnx { get; }

    /// <summary>Per-epoch figures and the selected epoch.</summary>
    public TrainingResult<IRecommenderModel> Training { get; }

    /// <summary>
    /// The training state at the end of training (the refit's, after a refit), to continue with a trainer's
    /// <c>ResumeFrom</c> option.
    /// </summary>
    public TrainingCheckpoint? Checkpoint { get; }

    /// <summary>The training positives (used to exclude already-seen items when recommending).</summary>
    public InteractionData TrainingData { get; }

    /// <summary>
    /// Top-N in C# for raw user ids, identical to <see cref="TopKOnnx"/> (same items, order and scores; training items
    /// left out by default), thread-safe: <c>transformer.Recommender.Recommend("196", 10)</c>.
    /// </summary>
    public Recommender Recommender { get; }

    /// <summary>Writes the pairwise scorer ONNX file.</summary>
    public void SaveScorerOnnx(string path) => AtomicFile.WriteAllBytes(path, ScorerOnnx);

    /// <summary>Writes the top-K recommender ONNX file.</summary>
    public void SaveTopKOnnx(string path) => AtomicFile.WriteAllBytes(path, TopKOnnx);

    /// <summary>Writes the TorchSharp training checkpoint.</summary>
    /// <exception cref="InvalidOperationException">There is no checkpoint (<see cref="Checkpoint"/> is null).</exception>
    public void SaveCheckpoint(string path) =>
        (Checkpoint ?? throw new InvalidOperationException("This recommender has no training checkpoint.")).Save(path);

    /// <summary>The stock ML.NET transformer chain that does the scoring (what <c>Model.Save</c> persists).</summary>
    public ITransformer ScoringTransformer => _scoring;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _scoring.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _scoring.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _scoring.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _scoring.Transform(input);

    /// <summary>Saves the scoring chain (see the remarks on the class).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => _scoring.Save(ctx);

    /// <summary>Releases the ONNX Runtime session and deletes the temporary ONNX file ML.NET serves from.</summary>
    public void Dispose()
    {
        (_scoring as IDisposable)?.Dispose();
        OnnxModelTempFile.Delete(_onnxFile);
    }
}
