"""数据质量: ingest runs, source cursors, quarantine with reasons, index/store agreement, model versions."""

from __future__ import annotations

import json

import streamlit as st

from dashboards import data, ui

st.title("数据质量")
ctx = ui.context()
health = data.health(ctx)
index = data.index(ctx)
vectors = len(index) if index is not None else None

top = st.columns(4)
top[0].metric("记录数", f"{health['records']:,}", border=True)
top[1].metric("向量数", "—" if vectors is None else f"{vectors:,}", border=True)
top[2].metric("隔离条目", f"{health['quarantine_count']:,}", border=True)
top[3].metric("数据库版本", health["schema_version"], border=True)

if health["records"] == 0:
    st.info(ui.EMPTY_HINT)
if vectors is None:
    st.info("还没有向量索引：运行 `voc enrich` 建立索引（在此之前检索只能用关键词）。")
elif vectors == health["records"]:
    st.success(f"索引与数据库一致：{vectors:,} 条记录都有向量。")
else:
    st.warning(f"索引与数据库不一致：数据库 {health['records']:,} 条，索引 {vectors:,} 条。"
               "运行 `voc index verify --repair` 修复。")

st.subheader("各来源最近一次导入")
if health["last_per_source"]:
    st.dataframe(
        [{"来源": r["source"], "类型": r["kind"], "状态": r["status"], "开始": r["started_at"],
          "结束": r["finished_at"], "读取": r["read"], "新增": r["new"], "重复": r["duplicates"],
          "隔离": r["quarantined"], "说明": r["message"]} for r in health["last_per_source"]],
        hide_index=True, width="stretch",
    )
else:
    st.info("还没有导入记录（ingest runs）。")

if health["runs"]:
    with st.expander(f"全部导入批次（最近 {len(health['runs'])} 次）"):
        st.dataframe(health["runs"], hide_index=True, width="stretch")

st.subheader("来源游标")
if health["cursors"]:
    st.dataframe(
        [{"来源": c["source"], "键": c["key"], "值": json.dumps(c["value"], ensure_ascii=False),
          "更新时间": c["updated_at"]} for c in health["cursors"]],
        hide_index=True, width="stretch",
    )
else:
    st.info("没有来源游标（只有增量拉取的来源才有）。")

st.subheader("隔离区")
st.caption("无法成为记录的输入及原因；原文摘录可能含未脱敏信息，看板不显示，请用 `voc quarantine` 查看。")
if health["quarantine"]:
    st.markdown(f"共 {health['quarantine_count']:,} 条，显示最近 {len(health['quarantine'])} 条。")
    st.dataframe(
        [{"来源": q["source"], "文件": q["file"], "位置": q["locator"], "原因": q["reason"], "时间": q["created_at"]}
         for q in health["quarantine"]],
        hide_index=True, width="stretch",
    )
else:
    st.success("隔离区为空。")

st.subheader("主题运行")
if health["theme_runs"]:
    st.dataframe(
        [{"月份": r["month"], "投诉数": r["complaints"], "已归类": r["assigned"], "新主题": r["new_themes"],
          "稳定度": r["stability"], "模型指纹": r["model_fingerprint"], "时间": r["at"]} for r in health["theme_runs"]],
        hide_index=True, width="stretch",
    )
else:
    st.info("还没有运行过主题发现（`voc themes`）。")

st.subheader("模型版本")
models = data.model_manifests(ctx)
if models:
    st.dataframe(models, hide_index=True, width="stretch")
else:
    st.info("还没有保存的模型（models/ 与 index/ 下没有 manifest.json）。")
