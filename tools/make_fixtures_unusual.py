#!/usr/bin/python3
"""Writes tests/CnnGen.Tests/Fixtures/unusual/: PyTorch's outputs for unusual but legal declarations, the networks of an
outside-in check of the packed package (odd and prime sizes, rectangular and even windows, strides larger than the
window, Same and SameLower padding, padding larger than the window, dilation, groups and channel multipliers, 1x1 and
1-wide maps, windows as large as the padded input, ceil-mode and padded pools, filter counts that are not multiples of
the vector width, carried layouts with every kind of padding, Adds and Concats of the input, of a layer with itself and
of named layers, batch norm and activations anywhere, dotted keys, softmax of huge logits).

Each declaration is parsed here, not trusted: the script derives every layer's geometry from the contract's rules
(Same splits the total padding with the extra cell after, SameLower before; Floor, Ceil and Exact rounding; a ceil
window must start inside the input or its left padding), builds a torch.nn module with CnnGen's tensor keys (the
layer's Name or default name with its first letter lower-cased, or its Key), fills it with seeded random weights
(batch norm: running variance 0.3 .. 2, running mean and affine parameters non-trivial, num_batches_tracked random),
and runs it in eval() mode. Pools torch can express (symmetric explicit padding of at most half the window) run as
torch's max_pool2d/avg_pool2d and are checked against the padded form used for the others.

For each network with at most 20,000 parameters (batch norms' running statistics counted) and an output of at
most 20,000 floats it writes
  unusual/NAME.safetensors  the state_dict (F32 tensors, num_batches_tracked I64 with shape [])
  unusual/NAME.out.f32      the output for the input below, float32 little-endian, CHW
and one entry of unusual/cases.json, {"torch": version, "cases": [{name, declaration, input_length, output_length}]}.
The input is not stored: it is input_length floats of a 32-bit linear congruential generator seeded with the CRC-32 of
the name (state = 1664525 * state + 1013904223 mod 2^32; value = (state >> 8) / 2^24 * 4 - 2, exact in float32), which
the test computes the same way. Run by hand (Debian: apt-get install python3-torch), then commit the directory:

    /usr/bin/python3 tools/make_fixtures_unusual.py
"""
import json, math, os, re, struct, zlib
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "CnnGen.Tests", "Fixtures", "unusual")
MAX_PARAMETERS = 20_000
MAX_OUTPUT = 20_000

# Network declarations: name -> list of C# attribute texts (verbatim what goes on the class).
FL = "Rounding = OutputRounding.Floor"
CE = "Rounding = OutputRounding.Ceil"
NETS = {
 "N01_Odd7x13x5": ["Input(7, 13, 5)", "Conv(3, 3)", "Relu", "Conv(4, 3, SizeX = 1)", "Sigmoid", "FullyConnected(7)"],
 "N02_RectStride3": [f"Input(11, 17, 3, {FL})", "Conv(5, 3, SizeX = 5, Stride = 3)", "LeakyRelu(Slope = 0.2f)",
                     "Conv(6, 2, StrideX = 1, StrideY = 2)", "Tanh"],
 "N03_SameEven": ["Input(9, 10, 2)", "Conv(3, 4, PaddingMode = PaddingMode.Same)", "Relu6",
                  "Conv(4, 2, Stride = 2, PaddingMode = PaddingMode.Same)",
                  "Conv(2, 3, SizeX = 2, PaddingMode = PaddingMode.SameLower)"],
 "N04_Dilated": ["Input(15, 14, 3)", "Conv(6, 3, Dilation = 2, Padding = 2)", "Relu",
                 "Conv(5, 3, DilationX = 3, DilationY = 1, PaddingX = 3, PaddingY = 1)", "HardSwish",
                 f"Conv(4, 2, Dilation = 3, Stride = 2, {FL})"],
 "N05_Grouped": ["Input(10, 8, 6)", "Conv(9, 3, Groups = 3, Padding = 1)", "Relu", "Conv(12, 1, Groups = 3)", "Silu",
                 f"Conv(4, 3, Groups = 2, Stride = 2, Padding = 1, {FL})"],
 "N06_DepthwiseMult": ["Input(12, 12, 4)", "Conv(8, 3, Groups = 4, Padding = 1)", "Relu",
                       f"Conv(8, 3, Groups = 8, Stride = 2, Padding = 1, {FL})", "Relu6",
                       "Conv(16, 5, Groups = 8, PaddingMode = PaddingMode.Same)"],
 "N07_MobileBlock32": [f"Input(32, 32, 8, {FL})", "Conv(8, 3, Groups = 8, Padding = 1)", "Relu", "Conv(16, 1)", "Relu",
                       "Conv(16, 3, Groups = 16, Stride = 2, Padding = 1)", "Conv(24, 1)"],
 "N08_DepthwiseNarrow": [f"Input(5, 25, 10, {FL})", "Conv(10, 3, Groups = 10, Padding = 1)", "Relu",
                         "Conv(20, 3, Groups = 10, Stride = 2, Padding = 1)", "Conv(20, 3, Groups = 20, Padding = 1)"],
 "N09_DepthwiseManyCh": [f"Input(6, 6, 128, {FL})", "Conv(128, 3, Groups = 128, Stride = 2, Padding = 1)", "Relu",
                         "Conv(128, 3, Groups = 128, Padding = 1)", "GlobalAvgPool"],
 "N10_OneByOne": ["Input(1, 1, 7)", "Conv(5, 1)", "Relu", "Conv(3, 1)", "FullyConnected(4)", "Softmax"],
 "N11_KernelEqPadded": ["Input(5, 6, 3)", "Conv(4, 7, SizeX = 7, SizeY = 8, Padding = 1)", "Conv(3, 3, Padding = 1)",
                        "Sigmoid"],
 "N12_PoolCeil": ["Input(13, 11, 3)", f"MaxPool(3, Stride = 2, {CE})", f"AvgPool(2, Stride = 2, {CE})",
                  f"AvgPool(3, Stride = 2, Padding = 1, {CE}, CountIncludePadding = false)"],
 "N13_PoolPadded": [f"Input(10, 9, 4, {FL})", "MaxPool(3, Stride = 2, Padding = 1)", "AvgPool(3, Stride = 1, Padding = 1)",
                    "AvgPool(2, Padding = 1, CountIncludePadding = false)", "MaxPool(2, Stride = 1, Padding = 1)"],
 "N14_PoolAsym": ["Input(9, 7, 3)", "MaxPool(2, PaddingMode = PaddingMode.Same)",
                  "AvgPool(3, Stride = 2, PaddingMode = PaddingMode.Same, CountIncludePadding = false)",
                  "AvgPool(3, Stride = 1, PaddingLeft = 2, PaddingTop = 2)",
                  "MaxPool(2, Stride = 1, PaddingRight = 1, PaddingBottom = 1, Dilation = 2)"],
 "N15_PoolCeilDrop": ["Input(14, 14, 2)", f"MaxPool(3, Stride = 3, Padding = 1, {CE})", f"MaxPool(2, Stride = 2, {CE})",
                      f"AvgPool(2, Stride = 2, Padding = 1, {CE})"],
 "N16_Wide100_130": ["Input(9, 9, 3)", "Conv(100, 3, Padding = 1)", "Relu", "Conv(130, 3, Stride = 2)", "Relu",
                     "Conv(17, 1)", "GlobalMaxPool"],
 "N17_Tiny": ["Input(1, 1, 1)", "Conv(1, 1)", "Relu", "FullyConnected(1)"],
 "N18_TinyRow": ["Input(3, 1, 1)", "Conv(1, 1, SizeX = 3)", "Sigmoid"],
 "N19_AddInput": ["Input(8, 8, 4)", "Conv(4, 3, Padding = 1)", "Relu", "Conv(4, 3, Padding = 1)", "Add(\"Input\")", "Relu"],
 "N20_ResNet": [f"Input(32, 32, 16, {FL})",
                "Conv(16, 3, Padding = 1, Bias = false)", "BatchNorm", "Relu(Name = \"S0\")",
                "Conv(16, 3, Padding = 1, Bias = false)", "BatchNorm", "Relu",
                "Conv(16, 3, Padding = 1, Bias = false)", "BatchNorm", "Add(\"S0\")", "Relu(Name = \"S1\")",
                "Conv(32, 3, Stride = 2, Padding = 1, Bias = false)", "BatchNorm", "Relu",
                "Conv(32, 3, Padding = 1, Bias = false)", "BatchNorm(Name = \"M2\")",
                "Conv(32, 1, Stride = 2, Bias = false, From = \"S1\")", "BatchNorm", "Add(\"M2\")", "Relu(Name = \"S2\")",
                "Conv(32, 3, Padding = 1, Bias = false)", "BatchNorm", "Relu",
                "Conv(32, 3, Padding = 1, Bias = false)", "BatchNorm", "Add(\"S2\")", "Relu(Name = \"S3\")",
                "Conv(64, 3, Stride = 2, Padding = 1, Bias = false)", "BatchNorm", "Relu",
                "Conv(64, 3, Padding = 1, Bias = false)", "BatchNorm(Name = \"M4\")",
                "Conv(64, 1, Stride = 2, Bias = false, From = \"S3\")", "BatchNorm", "Add(\"M4\")", "Relu(Name = \"S4\")",
                "Conv(64, 3, Padding = 1, Bias = false)", "BatchNorm", "Relu",
                "Conv(64, 3, Padding = 1, Bias = false)", "BatchNorm", "Add(\"S4\")", "Relu",
                "GlobalAvgPool", "FullyConnected(10)", "Softmax"],
 "N21_Chain32x16": ["Input(32, 32, 16)", "Conv(16, 3, Padding = 1)", "Conv(16, 3, Padding = 1)", "LeakyRelu",
                    "Conv(16, 3, Padding = 1)", "Relu6", "Conv(16, 3, Padding = 1)"],
 "N22_Chain16x32": ["Input(16, 16, 32)", "Conv(32, 3, Padding = 1)", "Relu", "Conv(32, 3, Padding = 1, Name = \"A\")",
                    "Conv(32, 3, Padding = 1)", "Add(\"A\")", "Conv(32, 3, Padding = 1)", "Add(\"Input\")"],
 "N23_Conv64on8": ["Input(8, 8, 64)", "Conv(64, 3, Padding = 1)", "Relu", "Conv(64, 3, Padding = 1)", "Relu",
                   "Conv(64, 1)", "Add(\"Input\")", "Conv(10, 8)"],
 "N24_DeepFC": ["Input(37, 1, 1)", "FullyConnected(129)", "Relu", "FullyConnected(65)", "BatchNorm", "Tanh",
                "FullyConnected(33, Bias = false)", "BatchNorm", "LeakyRelu", "FullyConnected(200)", "Silu",
                "FullyConnected(3)", "Softmax"],
 "N25_Concat": ["Input(10, 10, 3)", "Conv(5, 3, Padding = 1, Name = \"A\")", "Conv(7, 1, From = \"Input\", Name = \"B\")",
                "MaxPool(3, Stride = 1, Padding = 1, From = \"Input\", Name = \"P\")", "Concat(\"A\", \"B\", \"P\", \"Input\")",
                "Relu", f"Conv(4, 3, Stride = 2, {FL})"],
 "N26_ConcatRepeat": ["Input(6, 7, 2)", "Conv(3, 3, Padding = 1, Name = \"A\")", "Relu(Name = \"R\")",
                      "Concat(\"R\", \"A\", \"A\")", "Conv(3, 1)", "Add(\"A\")"],
 "N27_BnEverywhere": ["Input(6, 5, 3)", "BatchNorm", "Conv(4, 3)", "BatchNorm(Epsilon = 0.1f)", "HardSwish", "BatchNorm",
                      "Sigmoid", "Conv(2, 2)", "Softmax"],
 "N28_ActsEverywhere": ["Input(8, 8, 2)", "Relu6", "HardSwish", f"Conv(3, 3, Stride = 2, {FL})", "Silu", "Tanh",
                        "GlobalAvgPool", "Sigmoid", "FullyConnected(2)", "LeakyRelu(Slope = -0.5f)"],
 "N29_Stride3Mixed": [f"Input(19, 23, 3, {FL})", "Conv(8, 4, Stride = 3, Padding = 1)",
                      "Conv(8, 3, StrideX = 3, StrideY = 1, PaddingLeft = 2, PaddingBottom = 1)", "Relu"],
 "N30_FcFrom": ["Input(6, 6, 2)", "Conv(3, 3, Name = \"C\")", "Relu", "FullyConnected(5, From = \"C\")"],
 "N31_DottedKeys": ["Input(8, 8, 3)", "Conv(8, 3, Padding = 1, Bias = false, Key = \"layer1.0.conv1\")",
                    "BatchNorm(Key = \"layer1.0.bn1\")", "Relu", "Conv(8, 3, Padding = 1, Key = \"layer1.0.conv2\")",
                    "GlobalAvgPool", "FullyConnected(4, Key = \"head.fc\")"],
 "N32_FilterVec": ["Input(14, 14, 6)", "Conv(16, 5)", "Relu", "MaxPool(2)", "Conv(48, 3, Padding = 1)", "Relu",
                   "Conv(32, 5)"],
 "N33_Stride2Aligned": [f"Input(64, 64, 3, {FL})", "Conv(16, 3, Stride = 2, Padding = 1)", "Relu",
                        "Conv(16, 3, Groups = 16, Stride = 2, Padding = 1)", "Conv(32, 3, Stride = 2, Padding = 1)"],
 "N34_OddRows": [f"Input(33, 31, 5, {FL})", "Conv(7, 3, Padding = 1)", "MaxPool(2)",
                 "Conv(9, 5, Padding = 2, Stride = 2)", "AvgPool(2, Stride = 1)"],
 "N35_KwsStem": [f"Input(10, 49, 1, {FL})",
                 "Conv(20, 10, SizeX = 4, Stride = 2, PaddingTop = 4, PaddingBottom = 5, PaddingLeft = 1, PaddingRight = 2)",
                 "Relu", "Conv(20, 3, Groups = 20, Padding = 1)", "BatchNorm", "Relu", "Conv(21, 1)",
                 "AvgPool(SizeX = 5, SizeY = 25)", "FullyConnected(6)"],
 "N36_WholeMapPools": ["Input(7, 7, 9)", "MaxPool(7, Name = \"M\")", "AvgPool(7, From = \"Input\")", "Add(\"M\")",
                       "FullyConnected(3)"],
 "N37_SoftmaxMap": ["Input(5, 4, 6)", "Conv(7, 1)", "Softmax"],
 "N38_NarrowTall": ["Input(2, 40, 3)", "Conv(4, 3, SizeX = 1, PaddingY = 1)", "Relu", "Conv(5, 3, PaddingX = 1, StrideY = 2, Rounding = OutputRounding.Floor)",
                    "MaxPool(2, SizeX = 1, Stride = 2, StrideX = 1, Rounding = OutputRounding.Floor)"],
 "N39_SameStride3Dil": ["Input(17, 16, 4)", "Conv(6, 3, Stride = 3, Dilation = 2, PaddingMode = PaddingMode.Same)",
                        "Conv(5, 2, Stride = 2, PaddingMode = PaddingMode.SameLower)"],
 "N40_GroupDilAxis": [f"Input(20, 12, 8, {FL})", "Conv(12, 3, SizeY = 2, Groups = 4, DilationX = 2, StrideY = 2, PaddingX = 2)",
                      "Relu", "Conv(12, 3, Groups = 12, Dilation = 2, PaddingMode = PaddingMode.Same)", "FullyConnected(5)"],
 "N41_BigFcIn": ["Input(40, 40, 8)", "FullyConnected(10)", "Relu6"],
 "N42_AddInput32": ["Input(32, 32, 16)", "Conv(16, 3, Padding = 1)", "Relu", "Conv(16, 3, Padding = 1)", "Add(\"Input\")",
                    "Relu", "Conv(16, 3, Padding = 1)", "Add(\"Input\")"],
}

SA = "PaddingMode = PaddingMode.Same"
SL = "PaddingMode = PaddingMode.SameLower"
NETS2 = {
 "R01_CarryPad5": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1)", "Relu", "Conv(16, 5, Padding = 2)", "Relu",
                   "Conv(16, 7, Padding = 3)", "Conv(16, 9, Padding = 4)", "Conv(8, 11, Padding = 5)"],
 "R02_CarryAsym": ["Input(32, 16, 16)", "Conv(16, 3, Padding = 1)", f"Conv(16, 4, {SA})", f"Conv(16, 2, {SL})",
                   "Conv(16, 3, PaddingLeft = 2, PaddingRight = 0, PaddingTop = 1, PaddingBottom = 1)"],
 "R03_CarryDilGroups": ["Input(16, 16, 32)", "Conv(32, 3, Padding = 1)", "Conv(32, 3, Padding = 2, Dilation = 2)", "Relu",
                        "Conv(32, 3, Padding = 3, Dilation = 3, Groups = 4)", "Conv(32, 3, Padding = 1, Groups = 32)"],
 "R04_CarryAddVariants": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1, Name = \"A\")", "Conv(16, 3, Padding = 1)",
                          "Add(\"A\")", "LeakyRelu(Name = \"B\")", "Conv(16, 3, Padding = 1)", "Add(\"B\")", "Relu6",
                          "Conv(16, 3, Padding = 1, Name = \"C\")", "Add(\"C\")", "Sigmoid", "Conv(16, 3, Padding = 1)",
                          "Add(\"A\")", "Tanh"],
 "R05_CarryTwoReaders": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1, Name = \"A\")", "Conv(16, 3, Padding = 1, Name = \"B\")",
                         "MaxPool(2, From = \"A\", Name = \"P\")", "AvgPool(2, From = \"B\")", "Concat(\"P\", \"AvgPool1\")",
                         "Conv(8, 3, Padding = 1)"],
 "R06_Stride2From35": ["Input(35, 35, 4)", "Conv(16, 5, Stride = 2)", "Relu",
                       "Conv(16, 3, Stride = 2, PaddingLeft = 1, PaddingTop = 1)"],
 "R07_Stride2From33": ["Input(33, 33, 3)", "Conv(32, 3, Stride = 2)", "Relu6", "Conv(32, 4, Stride = 2, Padding = 1)"],
 "R08_Stride2Dilated": [f"Input(36, 36, 4, {FL})", "Conv(8, 3, Stride = 2, Dilation = 2, Padding = 2)", "Relu",
                        "Conv(8, 3, Stride = 3, Dilation = 2, Padding = 1)"],
 "R09a_ConvMaxCeil": ["Input(20, 20, 3)", "Conv(8, 3)", "Relu6", f"MaxPool(3, Stride = 2, Padding = 1, {CE})"],
 "R09b_ConvAvgCeilNoPad": ["Input(21, 19, 3)", "Conv(8, 3)", "Relu",
                           f"AvgPool(3, Stride = 2, Padding = 1, CountIncludePadding = false, {CE})"],
 "R09c_ConvLeakyMaxDil": [f"Input(22, 18, 3, {FL})", "Conv(8, 3)", "LeakyRelu(Slope = 0.3f)", "MaxPool(3, Stride = 2, Dilation = 2)"],
 "R09d_ConvAvgS1Asym": ["Input(24, 17, 5)", "Conv(16, 3)", "Relu",
                        "AvgPool(3, Stride = 1, PaddingLeft = 2, PaddingBottom = 1, CountIncludePadding = false)",
                        "AvgPool(2, Stride = 1, PaddingRight = 1, PaddingTop = 1)"],
 "R10_FilterVec": ["Input(7, 7, 8)", "Conv(32, 3, Padding = 1)", "Relu6", "Conv(48, 3, Stride = 2)", "BatchNorm",
                   "Conv(64, 3, Groups = 2, Padding = 1)", "Relu", "Conv(16, 3)"],
 "R11_DwStride2Odd": [f"Input(33, 31, 6, {FL})", "Conv(6, 3, Groups = 6, Stride = 2, Padding = 1)", "Relu",
                      "Conv(12, 5, Groups = 6, Stride = 2, Padding = 2)", "Conv(12, 3, Groups = 12, Stride = 3, Padding = 1)"],
 "R12_DwNarrowMasked": ["Input(7, 9, 5)", "Conv(5, 5, Groups = 5, Padding = 2)", "Conv(5, 3, Groups = 5, Dilation = 2, Padding = 2)",
                        "Conv(10, 3, Groups = 5, Padding = 1)", f"Conv(10, 2, Groups = 10, {SA})", "Conv(10, 3, Groups = 10)"],
 "R13a_DwWidth1": ["Input(1, 17, 4)", "Conv(4, 3, Groups = 4, Padding = 1)", "Relu", "Conv(8, 3, Groups = 4, SizeX = 1, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)"],
 "R13b_Dw3x3x64": ["Input(3, 3, 64)", "Conv(64, 3, Groups = 64, Padding = 1)", "Conv(64, 3, Groups = 64, Stride = 2, Padding = 1)",
                   "Conv(64, 2, Groups = 64)"],
 "R14_DwManyChOdd": [f"Input(6, 6, 100, {FL})", "Conv(100, 3, Groups = 100, Stride = 2, Padding = 1)", "Relu6",
                     "Conv(100, 3, Groups = 100, Padding = 1)", "Conv(200, 3, Groups = 100, Padding = 1)"],
 "R15_OneChannelStem": [f"Input(40, 30, 1, {FL})", "Conv(8, 3, SizeX = 7, Stride = 2, Padding = 1)", "Relu",
                        "Conv(64, 3, Groups = 8, Stride = 3, Dilation = 2)"],
 "R15b_OneChanManyFilters": ["Input(12, 9, 1)", "Conv(64, 4, SizeY = 2, Padding = 1)", "Relu"],
 "R16a_MaxPoolSpill": ["Input(3, 3, 5)", "MaxPool(2, Stride = 1)", "MaxPool(2, Stride = 1)"],
 "R16b_PoolTiny": ["Input(5, 5, 3)", f"MaxPool(2, Stride = 2, {CE})", "AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)",
                   f"AvgPool(2, {CE})"],
 "R17_FcPanels": ["Input(300, 1, 1)", "FullyConnected(128)", "Relu", "FullyConnected(129)", "FullyConnected(257)",
                  "FullyConnected(127)", "FullyConnected(1)"],
 "R18_MlpResidual": ["Input(1, 1, 20)", "FullyConnected(20)", "Relu", "Add(\"Input\")", "FullyConnected(20, Name = \"F\")",
                     "BatchNorm", "Concat(\"F\", \"Input\")", "FullyConnected(5)", "Softmax"],
 "R19_MlpSpatialIn": ["Input(4, 5, 2)", "FullyConnected(7)", "Relu6", "FullyConnected(9)"],
 "R20_SoftmaxOneCh": ["Input(3, 3, 1)", "Softmax", "Conv(2, 1)", "Softmax"],
 "R21a_GlobalMaxWide": ["Input(37, 5, 3)", "Conv(20, 3)", "GlobalMaxPool"],
 "R21b_GlobalAvgBig": ["Input(64, 64, 4)", "GlobalAvgPool", "Softmax"],
 "R22_BnStandalone": ["Input(8, 8, 4)", "MaxPool(2)", "BatchNorm", "Conv(4, 1)", "Add(\"Bn1\")", "BatchNorm", "BatchNorm"],
 "R23_BnFoldGroups": ["Input(10, 10, 8)", "Conv(16, 3, Groups = 4, Padding = 1)", "BatchNorm", "Relu6",
                      "Conv(16, 3, Groups = 16, Padding = 1, Bias = false)", "BatchNorm", "HardSwish",
                      "Conv(8, 1, Bias = false)", "BatchNorm"],
 "R24_NamedConvThenBn": ["Input(8, 8, 4)", "Conv(4, 3, Padding = 1, Name = \"C\")", "BatchNorm", "Add(\"C\")"],
 "R24b_NamedConvThenRelu": ["Input(8, 8, 4)", "Conv(4, 3, Padding = 1, Name = \"C\")", "Relu", "Add(\"C\")"],
 "R24c_NamedConv16ThenBnRelu": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1, Name = \"C\")", "BatchNorm", "Relu",
                                "Conv(16, 3, Padding = 1)", "Add(\"C\")"],
 "R25_NamedFcThenBn": ["Input(12, 1, 1)", "FullyConnected(6, Name = \"F\")", "BatchNorm", "Relu", "Add(\"F\")",
                       "FullyConnected(3)"],
 "R25b_NamedConvThenBnConcat": ["Input(6, 6, 3)", "Conv(5, 3, Padding = 1, Name = \"C\")", "BatchNorm(Name = \"B\")", "Relu6(Name = \"R6\")",
                                "Concat(\"C\", \"B\", \"R6\")"],
 "R26_PreActRes": ["Input(32, 32, 16)", "BatchNorm", "Relu(Name = \"A0\")", "Conv(32, 3, Padding = 1, Bias = false)",
                   "BatchNorm", "Relu", "Conv(32, 3, Padding = 1)", "Conv(32, 1, From = \"A0\")", "Add(\"Conv2\")",
                   "Relu"],
 "R27_AddInput16x32": ["Input(16, 16, 32)", "Conv(32, 3, Padding = 1)", "Add(\"Input\")", "Conv(32, 3, Padding = 1)",
                       "Add(\"Input\")", "Relu", "Conv(32, 3, Padding = 1)"],
 "R28_CarryConcat": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1, Name = \"A\")", "Conv(16, 3, Padding = 1, Name = \"B\")",
                     "Concat(\"A\", \"B\")", "Conv(16, 3, Padding = 1)"],
 "R29_Conv64to130": [f"Input(8, 8, 64, {FL})", "Conv(130, 1)", "Relu", "Conv(64, 3, Stride = 2, Padding = 1)",
                     "Conv(100, 3, Padding = 1)", "GlobalAvgPool", "FullyConnected(10)"],
 "R31_PoolsOnCarried": ["Input(16, 16, 16)", f"MaxPool(3, Stride = 1, {SA})", "Conv(16, 3, Padding = 1)",
                        "AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)", "Conv(16, 3, Padding = 1)"],
 "R32_TinyWeird": ["Input(2, 2, 1)", "Conv(3, 2, Padding = 1)", "MaxPool(3, Padding = 1, Stride = 2)",
                   "AvgPool(2, Padding = 1, Stride = 1, CountIncludePadding = false)", "Conv(1, 3)"],
}
NETS.update(NETS2)

NETS3 = {
 "S01_PadGtKernelCarried": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1)", "Conv(16, 3, Padding = 6)", "Relu",
                            "Conv(4, 1, Padding = 3)"],
 "S02_BigAsymPad": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1)", "Conv(16, 3, PaddingLeft = 7, PaddingRight = 0, PaddingTop = 0, PaddingBottom = 4)"],
 "S03_StrideGtKernel": [f"Input(17, 13, 3, {FL})", "Conv(8, 2, Stride = 3)", "MaxPool(2, Stride = 3)", "Conv(4, 1, Stride = 5)"],
 "S04_DwS2Wide": ["Input(64, 8, 16)", "Conv(16, 5, Groups = 16, Stride = 2, Padding = 2, Rounding = OutputRounding.Floor)",
                  "Conv(16, 4, Groups = 16, Stride = 2, PaddingMode = PaddingMode.Same)"],
 "S05_Dw7x7S2": [f"Input(48, 20, 8, {FL})", "Conv(8, 7, Groups = 8, Stride = 2, Padding = 3, Bias = false)", "BatchNorm",
                 "Relu6", f"Conv(8, 4, Groups = 8, {SA})", "Conv(8, 4, Groups = 8, Stride = 2)"],
 "S06_DwMult3Small": ["Input(6, 6, 64)", "Conv(192, 3, Groups = 64, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)",
                      "Conv(192, 3, Groups = 192, Padding = 1)"],
 "S07_Grouped8": ["Input(16, 16, 32)", "Conv(64, 3, Groups = 2, Padding = 1)", "Relu", "Conv(96, 3, Groups = 8, Padding = 1)",
                  "Conv(24, 1, Groups = 4)"],
 "S08_ManyInCh": ["Input(12, 12, 33)", "Conv(24, 3, Padding = 1)", "Relu", "Conv(6, 3, Padding = 1)", "Conv(18, 3)",
                  "Conv(12, 5, Padding = 2)"],
 "S09_MaxPoolWideOdd": [f"Input(33, 9, 4, {FL})", "MaxPool(3, Stride = 2, Padding = 1)", "MaxPool(3, Stride = 2, Dilation = 2)",
                        "AvgPool(5, Stride = 1, Padding = 2)"],
 "S10_AvgS1Big": ["Input(40, 12, 3)", "AvgPool(5, Stride = 1, Padding = 2, CountIncludePadding = false)",
                  "AvgPool(5, Stride = 1, Padding = 2)", f"AvgPool(4, Stride = 1, {CE})"],
 "S11_GlobalOn1x1": ["Input(1, 1, 9)", "GlobalAvgPool", "GlobalMaxPool", "FullyConnected(1)", "FullyConnected(1)"],
 "S12_SoftmaxHuge": ["Input(4, 3, 8)", "LeakyRelu(Slope = -3000f)", "Softmax"],
 "S13_ActsHuge": ["Input(5, 5, 4)", "LeakyRelu(Slope = -100f, Name = \"L\")", "Sigmoid(Name = \"S\")",
                  "Tanh(From = \"L\", Name = \"T\")", "Silu(From = \"Input\", Name = \"U\")", "HardSwish(From = \"L\", Name = \"H\")",
                  "Concat(\"S\", \"T\", \"U\", \"H\")"],
 "S14_ConcatInputTwice": ["Input(5, 4, 3)", "Concat(\"Input\", \"Input\", Name = \"K\")", "Conv(2, 1, From = \"Input\", Name = \"C\")",
                          "Concat(\"C\", \"K\")"],
 "S15_FcFromCarried": ["Input(16, 16, 16)", "Conv(16, 3, Padding = 1, Name = \"A\")", "Conv(16, 3, Padding = 1, Name = \"B\")",
                       "Add(\"A\")", "Relu", "GlobalAvgPool(From = \"A\", Name = \"G\")", "FullyConnected(5, From = \"B\", Name = \"F\")",
                       "Concat(\"G\", \"F\")"],
 "S16_CarriedReadByPoolLater": ["Input(32, 32, 16)", "Conv(16, 3, Padding = 1, Name = \"A\")", "Relu", "Conv(16, 3, Padding = 1)",
                                "Add(\"A\", Name = \"S\")", "MaxPool(2, From = \"A\", Name = \"P\")", "AvgPool(2, From = \"S\")"],
 "S17_SixFilters": ["Input(30, 7, 3)", "Conv(6, 3)", "Relu", "Conv(12, 3, Padding = 1)", "Conv(18, 3, Padding = 1)"],
 "S18_FirstFromInput": ["Input(6, 6, 2)", "Conv(3, 3, From = \"Input\")", "Conv(2, 3, From = \"Input\", Padding = 1, Name = \"Z\")"],
 "S19_BnTinyEps": ["Input(4, 4, 3)", "Conv(5, 3, Padding = 1)", "BatchNorm(Epsilon = 1E-12f)", "Relu6"],
 "S20_Conv1x1Stride2FromNamedRelu": [f"Input(17, 17, 8, {FL})", "Conv(8, 3, Padding = 1)", "Relu(Name = \"R\")",
                                     "Conv(16, 3, Stride = 2, Padding = 1)", "Conv(16, 1, Stride = 2, From = \"R\")",
                                     "Add(\"Conv2\")"],
}
NETS.update(NETS3)


# ---------------------------------------------------------------- safetensors
def st_save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float32: dt = "F32"
        elif t.dtype == torch.int64: dt = "I64"
        else: raise ValueError(t.dtype)
        b = t.numpy().tobytes()
        header[k] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

# ---------------------------------------------------------------- parsing
def split_top(s):
    parts, depth, cur, inq = [], 0, "", False
    for ch in s:
        if ch == '"': inq = not inq
        if ch == "," and depth == 0 and not inq:
            parts.append(cur.strip()); cur = ""; continue
        if not inq and ch == "(": depth += 1
        if not inq and ch == ")": depth -= 1
        cur += ch
    if cur.strip(): parts.append(cur.strip())
    return parts

def val(v):
    v = v.strip()
    if v.startswith('"'): return v.strip('"')
    if v in ("true", "false"): return v == "true"
    if "." in v and v.split(".")[0] in ("PaddingMode", "OutputRounding"): return v.split(".")[1]
    if v.endswith("f"): return float(np.float32(float(v[:-1])))
    return int(v)

def parse(attr):
    m = re.match(r"^(\w+)(?:\((.*)\))?$", attr.strip(), re.S)
    kind, args = m.group(1), m.group(2) or ""
    pos, named = [], {}
    for p in split_top(args):
        mm = re.match(r"^(\w+)\s*=\s*(.*)$", p, re.S)
        if mm and not p.startswith('"'): named[mm.group(1)] = val(mm.group(2))
        else: pos.append(val(p))
    return kind, pos, named

# ---------------------------------------------------------------- geometry
def axis(W, F_, S, Dl, pb, pe, mode, rounding, ispool):
    Fd = Dl * (F_ - 1) + 1
    if mode in ("Same", "SameLower"):
        out = -(-W // S)
        tot = max((out - 1) * S + Fd - W, 0)
        if mode == "Same": pb, pe = tot // 2, tot - tot // 2
        else: pe, pb = tot // 2, tot - tot // 2
        return out, pb, pe, Fd
    num = W + pb + pe - Fd
    if rounding == "Exact":
        assert num % S == 0, ("not exact", W, F_, S, pb, pe)
        out = num // S + 1
    elif rounding == "Floor":
        out = num // S + 1
    else:
        out = -(-num // S) + 1
        if (out - 1) * S >= W + pb: out -= 1
    assert out >= 1, ("too small", W, F_, S, pb, pe)
    return out, pb, pe, Fd

def geom(kind, pos, nm, W, H, default_round):
    ispool = kind in ("MaxPool", "AvgPool")
    size = pos[1] if kind == "Conv" and len(pos) > 1 else (pos[0] if ispool and pos else None)
    fx = nm.get("SizeX", size); fy = nm.get("SizeY", size)
    if ispool:
        s = nm.get("Stride", 0)
        sx = nm.get("StrideX", s) or fx; sy = nm.get("StrideY", s) or fy
    else:
        s = nm.get("Stride", 1); sx = nm.get("StrideX", s); sy = nm.get("StrideY", s)
    d = nm.get("Dilation", 1); dx = nm.get("DilationX", d); dy = nm.get("DilationY", d)
    p = nm.get("Padding", 0); px = nm.get("PaddingX", p); py = nm.get("PaddingY", p)
    pl = nm.get("PaddingLeft", px); pr = nm.get("PaddingRight", px)
    pt = nm.get("PaddingTop", py); pbm = nm.get("PaddingBottom", py)
    mode = nm.get("PaddingMode", "Explicit")
    rnd = nm.get("Rounding", default_round)
    ow, pl, pr, fdx = axis(W, fx, sx, dx, pl, pr, mode, rnd, ispool)
    oh, pt, pbm, fdy = axis(H, fy, sy, dy, pt, pbm, mode, rnd, ispool)
    return dict(fx=fx, fy=fy, sx=sx, sy=sy, dx=dx, dy=dy, pl=pl, pr=pr, pt=pt, pb=pbm, ow=ow, oh=oh, fdx=fdx, fdy=fdy,
                rnd=rnd, mode=mode)

# ---------------------------------------------------------------- model
PREFIX = {"Conv": "Conv", "MaxPool": "Pool", "AvgPool": "AvgPool", "GlobalAvgPool": "GlobalAvgPool",
          "GlobalMaxPool": "GlobalMaxPool", "BatchNorm": "Bn", "FullyConnected": "Fc"}

class Net(nn.Module):
    def __init__(self, attrs):
        super().__init__()
        kinds = [parse(a) for a in attrs]
        assert kinds[0][0] == "Input"
        W, H, D = kinds[0][1]
        self.in_shape = (D, H, W)
        default_round = kinds[0][2].get("Rounding", "Exact")
        counters = {}
        self.layers = []   # (kind, pos, named, name, key, geom, in_shape)
        self.param_keys = []  # flat order: list of state_dict keys in CnnGen declaration order
        shapes = {"Input": (D, H, W)}
        cur = (D, H, W)
        for kind, pos, nm in kinds[1:]:
            name = nm.get("Name")
            if kind in PREFIX:
                counters[kind] = counters.get(kind, 0) + 1
                if name is None: name = PREFIX[kind] + str(counters[kind])
            src = nm.get("From")
            ins = shapes[src] if src else cur
            d, h, w = ins
            g = None
            key = None
            if kind in ("Conv", "FullyConnected", "BatchNorm"):
                key = nm.get("Key", name[0].lower() + name[1:])
            if kind == "Conv":
                g = geom(kind, pos, nm, w, h, default_round)
                G = nm.get("Groups", 1); K = pos[0]
                mod = nn.Conv2d(d, K, (g["fy"], g["fx"]), groups=G, bias=nm.get("Bias", True))
                self._put(key, mod); self.param_keys += [key + ".weight"] + ([key + ".bias"] if nm.get("Bias", True) else [])
                out = (K, g["oh"], g["ow"])
            elif kind in ("MaxPool", "AvgPool"):
                g = geom(kind, pos, nm, w, h, default_round)
                out = (d, g["oh"], g["ow"])
            elif kind in ("GlobalAvgPool", "GlobalMaxPool"):
                out = (d, 1, 1)
            elif kind == "BatchNorm":
                mod = nn.BatchNorm2d(d, eps=nm.get("Epsilon", 1e-5))
                self._put(key, mod)
                self.param_keys += [key + s for s in (".weight", ".bias", ".running_mean", ".running_var")]
                out = ins
            elif kind == "FullyConnected":
                mod = nn.Linear(d * h * w, pos[0], bias=nm.get("Bias", True))
                self._put(key, mod); self.param_keys += [key + ".weight"] + ([key + ".bias"] if nm.get("Bias", True) else [])
                out = (pos[0], 1, 1)
            elif kind == "Add":
                assert shapes[pos[0]] == ins, (shapes[pos[0]], ins)
                out = ins
            elif kind == "Concat":
                ss = [shapes[n] for n in pos]
                out = (sum(s[0] for s in ss), ss[0][1], ss[0][2])
            else:
                out = ins
            self.layers.append((kind, pos, nm, name, key, g, ins))
            if name: shapes[name] = out
            cur = out
        self.out_shape = cur

    def _put(self, key, mod):
        parts = key.split(".")
        m = self
        for p in parts[:-1]:
            if not hasattr(m, p) or getattr(m, p) is None:
                m.add_module(p, nn.Module())
            m = getattr(m, p)
        m.add_module(parts[-1], mod)

    def _get(self, key):
        m = self
        for p in key.split("."): m = getattr(m, p)
        return m

    def forward(self, x):
        outs = {"Input": x}
        cur = x
        for kind, pos, nm, name, key, g, ins in self.layers:
            src = nm.get("From")
            inp = outs[src] if src else cur
            if kind == "Conv":
                m = self._get(key)
                y = F.pad(inp, (g["pl"], g["pr"], g["pt"], g["pb"]))
                y = F.conv2d(y, m.weight, m.bias, stride=(g["sy"], g["sx"]), dilation=(g["dy"], g["dx"]), groups=m.groups)
                assert y.shape[2:] == (g["oh"], g["ow"]), (y.shape, g)
            elif kind == "MaxPool":
                y = maxpool(inp, g)
            elif kind == "AvgPool":
                y = avgpool(inp, g, nm.get("CountIncludePadding", True))
            elif kind == "GlobalAvgPool":
                y = inp.mean(dim=(2, 3), keepdim=True)
            elif kind == "GlobalMaxPool":
                y = F.max_pool2d(inp, inp.shape[2:])
            elif kind == "BatchNorm":
                y = self._get(key)(inp)
            elif kind == "FullyConnected":
                m = self._get(key)
                y = m(torch.flatten(inp, 1)).reshape(inp.shape[0], -1, 1, 1)
            elif kind == "Relu": y = F.relu(inp)
            elif kind == "Relu6": y = F.relu6(inp)
            elif kind == "LeakyRelu": y = F.leaky_relu(inp, nm.get("Slope", float(np.float32(0.01))))
            elif kind == "Sigmoid": y = torch.sigmoid(inp)
            elif kind == "Tanh": y = torch.tanh(inp)
            elif kind == "HardSwish": y = F.hardswish(inp)
            elif kind == "Silu": y = F.silu(inp)
            elif kind == "Softmax": y = F.softmax(inp, dim=1)
            elif kind == "Add": y = inp + outs[pos[0]]
            elif kind == "Concat": y = torch.cat([outs[n] for n in pos], dim=1)
            else: raise ValueError(kind)
            if name: outs[name] = y
            if getattr(self, "record", None) is not None and kind in PREFIX:
                self.record.append((name, kind, key, nm, inp, y))
            cur = y
        return cur

def native_pool_ok(g):
    return g["pl"] == g["pr"] and g["pt"] == g["pb"] and g["pl"] * 2 <= g["fx"] and g["pt"] * 2 <= g["fy"] \
        and g["mode"] == "Explicit"

def _ext(inp, g, fill):
    H, W = inp.shape[2:]
    er = max(g["pr"], (g["ow"] - 1) * g["sx"] + g["fdx"] - W - g["pl"])
    eb = max(g["pb"], (g["oh"] - 1) * g["sy"] + g["fdy"] - H - g["pt"])
    return F.pad(inp, (g["pl"], er, g["pt"], eb), value=fill)

def maxpool_manual(inp, g):
    y = _ext(inp, g, float("-inf"))
    y = F.max_pool2d(y, (g["fy"], g["fx"]), (g["sy"], g["sx"]), 0, (g["dy"], g["dx"]))
    return y[:, :, :g["oh"], :g["ow"]]

def maxpool(inp, g):
    if native_pool_ok(g):
        y = F.max_pool2d(inp, (g["fy"], g["fx"]), (g["sy"], g["sx"]), (g["pt"], g["pl"]), (g["dy"], g["dx"]),
                         ceil_mode=g["rnd"] == "Ceil")
        m = maxpool_manual(inp, g)
        assert bool(((y == m) | (torch.isnan(y) & torch.isnan(m))).all()), "manual maxpool differs from native"
        return y
    return maxpool_manual(inp, g)

def avgpool_manual(inp, g, cip):
    H, W = inp.shape[2:]
    xs = _ext(inp, g, 0.0)
    ones = torch.ones(1, 1, H, W, dtype=inp.dtype)
    if cip:
        mask = F.pad(ones, (g["pl"], g["pr"], g["pt"], g["pb"]), value=1.0)
        er = xs.shape[3] - mask.shape[3]; eb = xs.shape[2] - mask.shape[2]
        mask = F.pad(mask, (0, er, 0, eb), value=0.0)
    else:
        mask = _ext(ones, g, 0.0)
    k, s = (g["fy"], g["fx"]), (g["sy"], g["sx"])
    num = F.avg_pool2d(xs, k, s, 0) * (k[0] * k[1])
    den = F.avg_pool2d(mask, k, s, 0) * (k[0] * k[1])
    y = num / den.round()
    return y[:, :, :g["oh"], :g["ow"]]

def avgpool(inp, g, cip):
    if native_pool_ok(g):
        y = F.avg_pool2d(inp, (g["fy"], g["fx"]), (g["sy"], g["sx"]), (g["pt"], g["pl"]), ceil_mode=g["rnd"] == "Ceil",
                         count_include_pad=cip)
        m = avgpool_manual(inp, g, cip)
        assert y.shape == m.shape and torch.allclose(y, m, atol=1e-5, rtol=1e-5, equal_nan=True), "manual avgpool differs from native"
        return y
    return avgpool_manual(inp, g, cip)

# ---------------------------------------------------------------- data
def randomize(model, gen):
    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            fan = mod.weight[0].numel()
            b = 1.7 / math.sqrt(fan)
            mod.weight.data = (torch.rand(mod.weight.shape, generator=gen) * 2 - 1) * b
            if mod.bias is not None:
                mod.bias.data = torch.rand(mod.bias.shape, generator=gen) - 0.5
        elif isinstance(mod, nn.BatchNorm2d):
            n = mod.num_features
            mod.weight.data = torch.rand(n, generator=gen) + 0.5
            mod.bias.data = torch.rand(n, generator=gen) - 0.5
            mod.running_mean.data = torch.rand(n, generator=gen) - 0.5
            mod.running_var.data = torch.rand(n, generator=gen) * 1.7 + 0.3
            mod.num_batches_tracked.data = torch.tensor(int(torch.randint(1, 1000, (1,), generator=gen)))



def lcg_input(name, length):
    state = zlib.crc32(name.encode()) & 0xFFFFFFFF
    values = np.empty(length, dtype=np.float32)
    for i in range(length):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        values[i] = np.float32((state >> 8) / 16777216.0 * 4.0 - 2.0)
    return values


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    cases = []
    for name, attrs in NETS.items():
        seed = zlib.crc32(name.encode()) & 0x7FFFFFFF
        gen = torch.Generator().manual_seed(seed)
        model = Net(attrs)
        randomize(model, gen)
        model.eval()
        parameters = sum(t.numel() for k, t in model.state_dict().items() if not k.endswith("num_batches_tracked"))
        length = int(np.prod(model.in_shape))
        x = torch.from_numpy(lcg_input(name, length)).reshape((1,) + model.in_shape)
        with torch.no_grad():
            y = model(x)
        if parameters > MAX_PARAMETERS or y.numel() > MAX_OUTPUT:
            print(f"{name}: left out ({parameters} parameters, output {y.numel()})")
            continue
        assert bool(torch.isfinite(y).all()), name
        st_save(os.path.join(OUT, name + ".safetensors"), model.state_dict())
        y.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".out.f32"))
        cases.append({"name": name, "declaration": " ".join("[" + a + "]" for a in attrs), "input_length": length, "output_length": int(y.numel())})
        print(f"{name}: in {model.in_shape} out {tuple(y.shape[1:])} parameters {parameters}")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
